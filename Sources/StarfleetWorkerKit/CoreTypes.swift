public import StarfleetCore

// The core types a worker's API names, under this module so a worker author imports StarfleetWorkerKit alone.
public typealias FanOutStrategy = StarfleetCore.FanOutStrategy
public typealias Node = StarfleetCore.Node
public typealias Diagnostic = StarfleetCore.Diagnostic
public typealias SourceMark = StarfleetCore.SourceMark
