// The types the generated files (generated/*.ts, from generate.mjs) check the dashboards against: @grafana/schema's
// classic (v1) dashboard model and each panel plugin's options, as a JSON file can spell them. Hand-written; the
// schema itself is only imported, never copied.
import type * as schema from '@grafana/schema';

/**
 * A schema type as JSON spells it. The schema's string enums (GraphDrawStyle, LegendDisplayMode...) accept only
 * their enum members, never the bare strings a JSON file holds, so each enum becomes the union of its values
 * ("line" | "bars" | "points"); numeric enums become their numbers. Everything else is kept, so excess-property
 * checks still apply at every level.
 */
export type Json<T> = 0 extends 1 & T
  ? T // `any` (a few veneer generics default to it): leave it alone rather than spread it into a union
  : T extends string
    ? `${T}`
    : T extends number
      ? `${T}` extends `${infer N extends number}` // (a plain `number` stays number)
        ? N
        : never
      : T extends boolean | null | undefined
        ? T
        : T extends ReadonlyArray<infer U>
          ? Json<U>[]
          : T extends object
            ? { [K in keyof T]: Json<T[K]> }
            : T;

/**
 * A template variable. Two exceptions to the schema's VariableModel, each for something Grafana's own frontend
 * writes (raw/dashboard/x/dashboard_types.gen.d.ts in @grafana/schema 12.1.1):
 * - `definition`: the query editor's text form of a query variable's query, saved by Grafana for every query
 *   variable and absent from the schema's VariableModel;
 * - `current: {}`: a variable with nothing selected yet (the datasource variable before its first load); the
 *   schema's VariableOption requires `text` and `value`.
 */
export type Variable = Json<Omit<schema.VariableModel, 'current'>> & {
  current?: Json<schema.VariableModel['current']> | Record<string, never>;
  definition?: string;
};

/**
 * The dashboard: the schema's Dashboard, with the variables above. Its panels are each checked as a PluginPanel or
 * Row, which only narrow the schema's Panel and RowPanel, so they are not checked a second time here (that would
 * repeat every panel-level error).
 */
export type Dashboard = Json<Omit<schema.Dashboard, 'templating' | 'panels'>> & {
  templating?: { list?: Variable[] };
  panels?: unknown[];
};

/**
 * A target. Too loose, and not by choice: the schema types Panel.targets as Array<Record<string, unknown>> and
 * has no Prometheus query model (no raw/composable/prometheus in 12.1.1), so only DataQuery's common fields
 * (refId, hide, datasource...) are checked; expr, legendFormat, range, instant and format are not.
 */
export type Target = Json<schema.DataQuery> & Record<string, unknown>;

/**
 * One override property: a standard field option (`unit`, `min`...) or `custom.` plus one of the plugin's own
 * field options, possibly a nested one (`custom.pointSize.fixed`), with a value of that option's type. The schema
 * itself types these as { id: string; value?: unknown } (FieldConfigSource in
 * raw/dashboard/x/dashboard_types.gen.d.ts), which would let a misspelled id through.
 */
type PropertyOf<T, Prefix extends string> = {
  [K in keyof T & string]-?:
    | { id: `${Prefix}${K}`; value?: Json<T[K]> }
    | (NonNullable<T[K]> extends ReadonlyArray<unknown>
        ? never
        : NonNullable<T[K]> extends object
          ? PropertyOf<NonNullable<T[K]>, `${Prefix}${K}.`>
          : never);
}[keyof T & string];

type StandardFieldConfig = Omit<schema.FieldConfig, 'custom'>;

type OverrideProperty<Custom> =
  | PropertyOf<StandardFieldConfig, ''>
  | ([Custom] extends [never] ? never : PropertyOf<Custom, 'custom.'>);

/**
 * A panel of one plugin, checked against that plugin's Options and, under fieldConfig.defaults.custom, its
 * FieldConfig (raw/composable/<plugin>/panelcfg/x/*_types.gen.d.ts). Custom = never: the plugin has no custom
 * field options, so any `custom` is an error.
 * Still loose, as the schema has it (raw/dashboard/x/dashboard_types.gen.d.ts): an override's matcher and a
 * transformation's options are `unknown` (their types live in @grafana/data, not in @grafana/schema).
 */
export type PluginPanel<Type extends string, Options, Custom> = Json<
  Omit<schema.Panel, 'type' | 'options' | 'fieldConfig' | 'targets'>
> & {
  type: Type;
  options?: Json<Options>;
  fieldConfig?: {
    defaults: Json<StandardFieldConfig> & ([Custom] extends [never] ? {} : { custom?: Json<Custom> });
    overrides: Array<{ matcher: Json<schema.MatcherConfig>; properties: OverrideProperty<Custom>[] }>;
  };
  targets?: Target[];
};

/** T with the keys K optional: for an option the schema requires and a plugin never writes (see generate.mjs). */
export type Optional<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

/** A row; the panels a collapsed row holds are each checked as a PluginPanel first. */
export type Row = Json<Omit<schema.RowPanel, 'panels'>> & { panels: unknown[] };
