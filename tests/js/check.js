// Judges JSON instances with ajv 8 (draft 2020-12, strict mode), in one
// process per batch. Reads from stdin:
//   {"keywords": ["x-..."], "schemas": [schema, ...], "checks": [[i, value], ...]}
// and writes to stdout:
//   {"compileErrors": [null | "message", ...], "verdicts": [true | false | null, ...]}
// A verdict is null when its schema did not compile. One Ajv instance
// serves the batch; a schema whose $id was seen before replaces the earlier
// one (the validators already compiled keep working). The names in
// "keywords" are registered as annotation-only keywords first.
"use strict";

const Ajv2020 = require("ajv/dist/2020").default;

function main(input) {
  const request = JSON.parse(input);
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  for (const keyword of request.keywords || []) {
    ajv.addKeyword({ keyword });
  }
  const validators = [];
  const compileErrors = [];
  for (const schema of request.schemas) {
    if (schema.$id !== undefined && ajv.getSchema(schema.$id) !== undefined) {
      ajv.removeSchema(schema.$id);
    }
    try {
      validators.push(ajv.compile(schema));
      compileErrors.push(null);
    } catch (error) {
      validators.push(null);
      compileErrors.push(String(error.message));
    }
  }
  const verdicts = request.checks.map(([index, value]) => {
    const validate = validators[index];
    return validate === null ? null : validate(value);
  });
  process.stdout.write(JSON.stringify({ compileErrors, verdicts }));
}

const chunks = [];
process.stdin.on("data", (chunk) => chunks.push(chunk));
process.stdin.on("end", () => main(Buffer.concat(chunks).toString("utf8")));
