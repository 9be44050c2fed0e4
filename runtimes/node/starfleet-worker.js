// require("starfleet-worker") (the name in the runtime contract) is the same SDK as require("worker").
"use strict";
module.exports = require("./worker");
