namespace SolProfiler.Cli.Report;

/// <summary>The report's stylesheet: the agent status page's palette and cards, for a static page.</summary>
internal static class ReportStyle
{
    public const string Css = """
        :root { --bg: #f4f5f7; --card: #ffffff; --fg: #1b1f24; --muted: #5b6470; --border: #dde1e6; --grid: #e8ebef;
          --good: #1f8a4c; --fair: #b7791f; --poor: #c0392b; }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--bg); color: var(--fg);
          font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; font-variant-numeric: tabular-nums; }
        header { padding: 12px 20px; background: var(--card); border-bottom: 1px solid var(--border); }
        header .brand { font-weight: 700; letter-spacing: 0.02em; color: var(--muted); }
        header h1 { margin: 2px 0 0; font-size: 20px; }
        header .src { color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
        main { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 12px; padding: 12px 20px; max-width: 1600px; }
        .card { background: var(--card); border: 1px solid var(--border); border-radius: 8px; padding: 10px 14px; min-width: 0; }
        .card.wide { grid-column: 1 / -1; }
        .card h2 { margin: 0 0 8px; font-size: 12px; font-weight: 700; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); }
        .muted, svg .muted { color: var(--muted); fill: var(--muted); }
        svg text:not([fill]) { fill: var(--fg); } /* a text that names its colour (a series label) keeps it */
        svg text.muted:not([fill]), svg text.no-data { fill: var(--muted); }
        .note { color: var(--muted); font-size: 13px; margin: 6px 0 0; }
        .empty { color: var(--muted); font-style: italic; }
        table { border-collapse: collapse; width: 100%; font-size: 13px; }
        th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--grid); vertical-align: top; }
        th { color: var(--muted); font-weight: 600; font-size: 12px; }
        td.num, th.num { text-align: right; }
        td.nodata { color: var(--muted); font-style: italic; }
        .kv td:first-child { color: var(--muted); width: 35%; }
        .legend { display: flex; flex-wrap: wrap; gap: 4px 16px; margin-top: 4px; font-size: 13px; }
        .legend .sw, .donut-legend .sw { display: inline-block; width: 12px; height: 12px; border-radius: 3px; margin-right: 4px; vertical-align: -1px; }
        .donut-wrap { display: flex; flex-direction: column; align-items: center; }
        .donut-legend { display: grid; grid-template-columns: auto 1fr auto auto; gap: 2px 8px; font-size: 13px; width: 100%; max-width: 360px; margin-top: 6px; }
        .donut-legend .num { text-align: right; }
        """;
}
