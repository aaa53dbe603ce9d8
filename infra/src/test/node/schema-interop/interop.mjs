// Encodes and decodes Confluent-framed Avro with @kafkajs/confluent-schema-registry, a client
// written independently of Natter, so SchemaInteropIT can check both directions.
//   node interop.mjs decode <registryUrl> <inFile>                               -> decoded record as JSON on stdout
//   node interop.mjs encode <registryUrl> <subject> <schemaFile> <jsonFile> <outFile>  -> prints the schema id
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { readFileSync, writeFileSync } from 'node:fs';

const [command, host, ...rest] = process.argv.slice(2);
const registry = new SchemaRegistry({ host });

// BigInt-safe JSON: avsc decodes Avro longs as numbers, which is exact for Natter's values.
const toJson = (value) => JSON.stringify(value, (_k, v) => (Buffer.isBuffer(v) ? v.toString('base64') : v));

if (command === 'decode') {
  const [inFile] = rest;
  const decoded = await registry.decode(readFileSync(inFile));
  process.stdout.write(toJson(decoded) + '\n');
} else if (command === 'encode') {
  const [subject, schemaFile, jsonFile, outFile] = rest;
  const { id } = await registry.register(
    { type: SchemaType.AVRO, schema: readFileSync(schemaFile, 'utf8') },
    { subject },
  );
  const payload = JSON.parse(readFileSync(jsonFile, 'utf8'));
  writeFileSync(outFile, await registry.encode(id, payload));
  process.stdout.write(String(id) + '\n');
} else {
  process.stderr.write('usage: interop.mjs decode|encode ...\n');
  process.exit(2);
}
