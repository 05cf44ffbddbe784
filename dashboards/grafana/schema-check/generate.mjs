// Writes one TypeScript file per Grafana dashboard (../dashboards/*.json -> generated/<name>.ts) that restates the
// dashboard as an object literal with `satisfies` on @grafana/schema's types (see types.ts), so that `tsc` rejects
// an unknown option, a misspelled field or a wrong kind of value at any level. Each panel is checked against the
// options and custom field config of its own plugin, found through PLUGINS below by the panel's `type`.
//
//   node generate.mjs [--dashboards DIR] [--out DIR]
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const composable = '@grafana/schema/dist/types/raw/composable';

// Panel type -> its panelcfg under @grafana/schema/dist/types/raw/composable/<dir>/panelcfg/x/<file>.d.ts.
// custom: whether that file declares a FieldConfig (the plugin's fieldConfig.defaults.custom options); where it
// does not, the plugin has no custom field options and any `custom` is an error.
// optional: options the schema requires but the plugin's editor never writes (each one says why).
// versioned: the panel must name its pluginVersion (see xychart).
const PLUGINS = {
  timeseries: { dir: 'timeseries', file: 'TimeSeriesPanelCfg_types.gen', custom: true },
  stat: { dir: 'stat', file: 'StatPanelCfg_types.gen', custom: false },
  gauge: { dir: 'gauge', file: 'GaugePanelCfg_types.gen', custom: false },
  bargauge: { dir: 'bargauge', file: 'BarGaugePanelCfg_types.gen', custom: false },
  barchart: { dir: 'barchart', file: 'BarChartPanelCfg_types.gen', custom: true },
  histogram: { dir: 'histogram', file: 'HistogramPanelCfg_types.gen', custom: true },
  // PieChartPanelCfg_types.gen.d.ts: Options extends common.SingleStatBaseOptions, whose `orientation` is
  // required (common/common.gen.d.ts), but the pie chart has no orientation option and Grafana never saves one.
  piechart: { dir: 'piechart', file: 'PieChartPanelCfg_types.gen', custom: true, optional: ['orientation'] },
  // The 10.4+ xychart (series with frame/x/y matchers), which Grafana 12 ships as `xychart`; the schema's
  // raw/composable/xychart2 is an older draft of it (pluginVersion 11.0.0-pre). Grafana migrates an xychart whose
  // pluginVersion is missing or empty as one saved before 10.4 (options.dims, seriesMapping, series with field
  // names for x and y), which turns these options' matchers into nonsense: so it must have one.
  xychart: { dir: 'xychart', file: 'XYChartPanelCfg_types.gen', custom: true, versioned: true },
  table: { dir: 'table', file: 'TablePanelCfg_types.gen', custom: true },
  text: { dir: 'text', file: 'TextPanelCfg_types.gen', custom: false },
  'state-timeline': { dir: 'statetimeline', file: 'StateTimelinePanelCfg_types.gen', custom: true },
  'status-history': { dir: 'statushistory', file: 'StatusHistoryPanelCfg_types.gen', custom: true },
};

function parseArgs(argv) {
  const args = { dashboards: join(here, '..', 'dashboards'), out: join(here, 'generated') };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if ((flag !== '--dashboards' && flag !== '--out') || value === undefined) {
      throw new Error(`usage: node generate.mjs [--dashboards DIR] [--out DIR] (got ${argv.join(' ')})`);
    }
    args[flag.slice(2)] = resolve(value);
  }
  return args;
}

// A map entry that names no file in the installed package is a mistake here, not in a dashboard.
function checkPluginMap() {
  for (const [type, { dir, file }] of Object.entries(PLUGINS)) {
    const path = join(here, 'node_modules', composable, dir, 'panelcfg', 'x', `${file}.d.ts`);
    if (!existsSync(path)) {
      throw new Error(`generate.mjs maps panel type "${type}" to ${path}, which does not exist`);
    }
  }
}

const ident = (type) => `plugin_${type.replace(/[^A-Za-z0-9]/g, '_')}`;

// A value as JSON.stringify(value, null, 2) lays it out, indented to sit at `indent`, except that the elements of a
// `panels` array go through `panel`. The layout is the one Grafana exports, so that line N of a generated file is
// line N of its dashboard and tsc's line numbers point into the JSON as well.
function emit(value, indent, panel) {
  const pad = '  '.repeat(indent);
  if (Array.isArray(value) && value.length > 0 && panel) {
    return `[\n${value.map((p) => `${pad}  ${panel(p, indent + 1)}`).join(',\n')}\n${pad}]`;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length === 0) {
    return JSON.stringify(value, null, 2).replaceAll('\n', `\n${pad}`);
  }
  const entries = Object.entries(value).map(
    ([k, v]) => `${pad}  ${JSON.stringify(k)}: ${emit(v, indent + 1, k === 'panels' ? panel : undefined)}`,
  );
  return `{\n${entries.join(',\n')}\n${pad}}`;
}

function generate(jsonPath, outDir) {
  const name = basename(jsonPath);
  const json = readFileSync(jsonPath, 'utf8');
  let dashboard;
  try {
    dashboard = JSON.parse(json);
  } catch (e) {
    throw new Error(`${name}: invalid JSON: ${e.message}`);
  }
  if (json.trimEnd() !== JSON.stringify(dashboard, null, 2)) {
    console.error(
      `generate.mjs: note: ${name} is not laid out as Grafana exports it (JSON, 2 spaces), ` +
        `so tsc's line numbers are those of generated/${name.replace(/\.json$/, '.ts')}, not of the JSON`,
    );
  }
  const plugins = new Set();
  const helpers = new Set(['Dashboard']);

  // A panel, checked by the type of its plugin, marked with where it is (the mark leads tsc's messages back to it).
  const panel = (p, indent) => {
    const where = `${name}: panel ${p.id ?? '?'} ${JSON.stringify(p.title ?? '')}`;
    const mark = `/* ${where.replaceAll('*/', '* /')} */`;
    if (p.type === 'row') {
      helpers.add('Row');
      return `${mark} ${emit(p, indent, panel)} satisfies Row`;
    }
    if (!Object.hasOwn(PLUGINS, p.type)) {
      throw new Error(
        `${where} has type ${JSON.stringify(p.type)}, which is not a panel type generate.mjs knows ` +
          `(${Object.keys(PLUGINS).join(', ')}, row): fix the type, or map it to its panelcfg in PLUGINS`,
      );
    }
    const { custom, optional = [], versioned } = PLUGINS[p.type];
    if (versioned && !p.pluginVersion) {
      throw new Error(
        `${where} (${p.type}) has no "pluginVersion": Grafana would migrate its options as a pre-10.4 ` +
          `${p.type}'s; set the version its options are written for (the schema's is "12.1.0")`,
      );
    }
    const t = ident(p.type);
    plugins.add(p.type);
    helpers.add('PluginPanel');
    if (optional.length) helpers.add('Optional');
    const options = optional.length
      ? `Optional<${t}.Options, ${optional.map((k) => JSON.stringify(k)).join(' | ')}>`
      : `${t}.Options`;
    const fieldConfig = custom ? `${t}.FieldConfig` : 'never';
    const type = `PluginPanel<${JSON.stringify(p.type)}, ${options}, ${fieldConfig}>`;
    return `${mark} ${emit(p, indent, panel)} satisfies ${type}`;
  };

  // Line 1 is the dashboard's opening brace; the imports go after it (they apply to the whole module anyway).
  const text = [
    `export const dashboard = ${emit(dashboard, 0, panel)} satisfies Dashboard;`,
    '',
    `// Generated by generate.mjs from dashboards/${name}, line for line: do not edit, change the JSON.`,
    `import type { ${[...helpers].sort().join(', ')} } from '../types';`,
    // The .js specifier: the package exports ./dist/* as is, and TypeScript finds the .d.ts beside a .js name.
    ...[...plugins].sort().map((type) => {
      const { dir, file } = PLUGINS[type];
      return `import type * as ${ident(type)} from '${composable}/${dir}/panelcfg/x/${file}.js';`;
    }),
    '',
  ].join('\n');
  writeFileSync(join(outDir, name.replace(/\.json$/, '.ts')), text);
}

try {
  const { dashboards, out } = parseArgs(process.argv.slice(2));
  checkPluginMap();
  const files = readdirSync(dashboards).filter((f) => f.endsWith('.json')).sort();
  if (files.length === 0) throw new Error(`no dashboard JSON in ${dashboards}`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const f of files) generate(join(dashboards, f), out);
} catch (e) {
  console.error(`generate.mjs: ${e.message}`);
  process.exit(1);
}
