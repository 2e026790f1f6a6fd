// Every JSON document the CLI prints starts with `schemaVersion`, so scripts can tell a change of
// shape from a change of values. It goes up when a field is removed, renamed or changes meaning;
// new fields do not change it. docs/cli.md lists the documents and their fields.

export const JSON_SCHEMA_VERSION = 1;

/** One JSON document for stdout: `schemaVersion` first, then the value's own fields. */
export function toJson(value: object, indent?: number): string {
  return JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, ...value }, null, indent);
}
