/// The console's stylesheet and script, compiled into the binary (no CDN, no build step). The pages work without
/// the script; it only refreshes the overview's table in place.
enum ConsoleAssets {
    static let css = """
        body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
        header{background:#1f2a44;color:#fff;padding:.6em 1em}header a{color:#fff;margin-right:1.2em;text-decoration:none}
        main{padding:1em}table{border-collapse:collapse;background:#fff;margin:.5em 0 1em}
        th,td{border:1px solid #d0d7de;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#eef1f4}
        td.n{text-align:right;font-variant-numeric:tabular-nums}.bad{color:#b42318;font-weight:600}.ok{color:#067647}
        .off{color:#888}pre{background:#fff;border:1px solid #d0d7de;padding:.6em;overflow:auto;max-height:30em}
        form.inline{display:inline}button{padding:.3em .8em}.danger{background:#b42318;color:#fff;border:0}
        .note{color:#555}.warn{color:#b54708;font-weight:600}
        .charts{display:flex;flex-wrap:wrap;gap:.5em 1.5em}figure.chart{margin:0 0 .5em;background:#fff;border:1px solid #d0d7de;padding:.4em}
        figure.chart figcaption{font-weight:600}figure.chart p.summary{margin:.2em 0 0;font-size:13px}
        svg text{font-size:10px;fill:#555}svg line.axis{stroke:#8c959f}svg line.grid{stroke:#e5e7eb}
        .c-ok{fill:#2e7d32}.c-fail{fill:#d97706}.c-dead{fill:#b42318}.c-cold{fill:#1f6feb}
        polyline{fill:none;stroke-width:1.5}polyline.c-p50,circle.c-p50{stroke:#1f6feb;fill:#1f6feb}
        polyline.c-p95,circle.c-p95{stroke:#8250df;fill:#8250df}polyline.c-warm{stroke:#2e7d32}
        polyline.c-p50,polyline.c-p95{fill:none}td.spark{padding:.2em .4em}
        """

    static let js = """
        // Refreshes the overview's live part every 3 s from /fragments/overview (the same HTML the page was built with).
        (function(){
          var live = document.getElementById('live');
          if (!live || !window.fetch) return;
          setInterval(function(){
            fetch('/fragments/overview', {credentials: 'same-origin'})
              .then(function(r){ return r.ok ? r.text() : null; })
              .then(function(html){ if (html !== null) live.innerHTML = html; })
              .catch(function(){});
          }, 3000);
        })();
        """
}
