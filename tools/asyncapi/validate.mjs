// Validates an AsyncAPI document with the AsyncAPI parser, resolving its
// $refs (the payload schemas in docs/schemas) from the file system.
// Usage: node validate.mjs FILE. Exits 1 on any error.
import { Parser, fromFile } from '@asyncapi/parser';

const file = process.argv[2];
if (!file) {
  console.error('usage: node validate.mjs FILE');
  process.exit(2);
}
const { document, diagnostics } = await fromFile(new Parser(), file).parse();
const severity = ['error', 'warning', 'info', 'hint'];
let errors = 0;
for (const d of diagnostics) {
  if (d.severity === 0) errors++;
  if (d.severity <= 1) {
    console.log(`${file}: ${severity[d.severity]} at ${d.path.join('.') || '(root)'}: ${d.message}`);
  }
}
if (!document || errors > 0) {
  console.error(`${file}: not a valid AsyncAPI document (${errors} error(s))`);
  process.exit(1);
}
const messages = document.allMessages().length;
const channels = document.allChannels().length;
// The parser accepts a schema format it has no parser for without
// reading the schema: every payload must be JSON Schema (or AsyncAPI
// Schema), resolved into a schema with content.
let unresolved = 0;
for (const m of document.allMessages()) {
  const p = m.payload();
  const json = p ? p.json() : undefined;
  // A payload is a schema, or {schemaFormat, schema} (a multi-format
  // schema object).
  const multi = json && typeof json === 'object' && 'schemaFormat' in json;
  const format = (multi ? json.schemaFormat : m.schemaFormat()) || '';
  const schema = multi ? json.schema : json;
  const ok = /schema\+json|vnd\.aai\.asyncapi/.test(format) && schema && typeof schema === 'object' &&
    !schema.$ref && (schema.allOf || schema.properties);
  if (!ok) {
    console.error(`${file}: message ${m.name()}: payload (${format || 'no format'}) is not a JSON Schema that resolved`);
    unresolved++;
  }
}
if (unresolved > 0) {
  process.exit(1);
}
console.log(`${file}: valid AsyncAPI ${document.version()}, ${channels} channels, ${messages} messages, every payload schema resolved`);
