import type { StandardJSONSchemaV1, StandardSchemaV1 } from '@standard-schema/spec';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
// ajv-formats is CommonJS with `exports.default`: under NodeNext the default import is typed as
// the whole module, so the plugin is reached through `.default` (which exists at run time too).
import ajvFormats from 'ajv-formats';
import { InvalidOptionError } from '../errors.js';

/** A JSON Schema document, as sent to the model. */
export type JsonSchema = Record<string, unknown>;

/** The outcome of validating one input: the (possibly transformed) value, or a message for the model. */
export type ValidationResult<I> = { ok: true; value: I } | { ok: false; message: string };

/** A tool's input schema: what the model is shown and how its arguments are checked. */
export interface InputSchema<I> {
  /** JSON Schema (an object schema) sent to the model. */
  readonly jsonSchema: JsonSchema;
  /**
   * Validates a parsed input. Synchronous whenever the underlying validator is (speed matters:
   * 10,000 calls/turn). Never throws and never rejects: a validator that crashes becomes a failed
   * result.
   */
  validate(value: unknown): ValidationResult<I> | Promise<ValidationResult<I>>;
}

/** Options of {@link createInputSchema}. */
export interface CreateInputSchemaOptions {
  /**
   * The JSON Schema sent to the model, overriding the one derived from the input schema.
   * Required for Standard Schemas that cannot produce JSON Schema themselves (valibot).
   * @default undefined (derived from `input`)
   */
  jsonSchema?: JsonSchema;
  /** The tool's name, used in messages for the model and errors for the developer. */
  toolName: string;
}

/** Issues listed in one message; a model fixes the first few, then sees the rest next time. */
const maxIssues = 10;
/** One issue's message is capped: some libraries quote the whole offending value. */
const maxIssueLength = 200;

/**
 * Builds the input schema of a tool from a Standard Schema (zod, valibot, arktype...) or a JSON
 * Schema object (validated with ajv). Throws `InvalidOptionError` when no object JSON Schema can
 * be derived, so a mistake surfaces when the tool is defined rather than when it is first called.
 */
export function createInputSchema<I>(
  input: StandardSchemaV1<unknown, I> | JsonSchema,
  options: CreateInputSchemaOptions,
): InputSchema<I> {
  const { toolName } = options;
  if (options.jsonSchema !== undefined && !isPlainObject(options.jsonSchema)) {
    throw new InvalidOptionError(
      `${toolName}.inputJsonSchema`,
      'a JSON Schema object',
      options.jsonSchema,
    );
  }
  if (isStandardSchema(input)) return fromStandardSchema<I>(input, options);
  if (isPlainObject(input)) return fromJsonSchema<I>(input, options);
  throw new InvalidOptionError(
    `${toolName}.input`,
    'a Standard Schema (zod, valibot, arktype...) or a JSON Schema object',
    input,
  );
}

function fromStandardSchema<I>(
  schema: StandardSchemaV1<unknown, I>,
  { jsonSchema, toolName }: CreateInputSchemaOptions,
): InputSchema<I> {
  const standard = schema['~standard'];
  const derived =
    jsonSchema === undefined ? deriveJsonSchema(schema, toolName) : withoutMetaSchema(jsonSchema);
  assertObjectSchema(derived, jsonSchema === undefined ? 'input' : 'inputJsonSchema', toolName);

  const toResult = (result: StandardSchemaV1.Result<I>): ValidationResult<I> =>
    result.issues
      ? { ok: false, message: invalidInputMessage(toolName, result.issues.map(formatIssue)) }
      : { ok: true, value: result.value };

  return {
    jsonSchema: derived,
    validate(value) {
      let result: StandardSchemaV1.Result<I> | Promise<StandardSchemaV1.Result<I>>;
      try {
        result = standard.validate(value);
      } catch (error) {
        return { ok: false, message: validatorCrashMessage(toolName, error) };
      }
      // Only async validators (an async refine) pay for a promise.
      if (result instanceof Promise) {
        return result.then(toResult, (error: unknown) => ({
          ok: false as const,
          message: validatorCrashMessage(toolName, error),
        }));
      }
      return toResult(result);
    },
  };
}

function deriveJsonSchema(schema: StandardSchemaV1, toolName: string): JsonSchema {
  const standard = schema['~standard'];
  // Standard JSON Schema (zod 4, arktype) is an optional addition to Standard Schema.
  const converter = (standard as Partial<StandardJSONSchemaV1.Props>).jsonSchema;
  if (converter === undefined || typeof converter.input !== 'function') {
    const hint =
      standard.vendor === 'valibot'
        ? 'valibot schemas carry no JSON Schema: pass `inputJsonSchema: toJsonSchema(schema)`, or `input: toStandardJsonSchema(schema)`, both from `@valibot/to-json-schema`'
        : `${standard.vendor} schemas do not implement Standard JSON Schema: pass the JSON Schema the model should see as \`inputJsonSchema\``;
    throw new InvalidOptionError(
      `${toolName}.inputJsonSchema`,
      `a JSON Schema object, because ${hint}`,
      undefined,
    );
  }
  let converted: Record<string, unknown>;
  try {
    converted = converter.input({ target: 'draft-07' });
  } catch (error) {
    throw new InvalidOptionError(
      `${toolName}.input`,
      `a schema that converts to JSON Schema (${standard.vendor}: ${errorText(error)}), or pass \`inputJsonSchema\``,
      schema,
    );
  }
  return withoutMetaSchema(converted);
}

function fromJsonSchema<I>(
  schema: JsonSchema,
  { jsonSchema, toolName }: CreateInputSchemaOptions,
): InputSchema<I> {
  const checked = asObjectSchema(withoutMetaSchema(schema));
  const shown = jsonSchema === undefined ? checked : withoutMetaSchema(jsonSchema);
  assertObjectSchema(shown, jsonSchema === undefined ? 'input' : 'inputJsonSchema', toolName);

  // One Ajv per tool: no state shared between tools or schedulers. `validateSchema: false`
  // because checking against the meta-schema compiles it again for every instance (~8 ms per
  // tool); compile still rejects keywords with wrong values. `$schema` was dropped above so that
  // a draft 2020-12 document compiles instead of failing on an unknown meta-schema.
  const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true, validateSchema: false });
  ajvFormats.default(ajv);
  let validateFn: ValidateFunction;
  try {
    validateFn = ajv.compile(checked);
  } catch (error) {
    throw new InvalidOptionError(
      `${toolName}.input`,
      `a valid JSON Schema (ajv: ${errorText(error)})`,
      schema,
    );
  }
  // `useDefaults` writes into the data: copy it first so the host's object is left as it was.
  const copyFirst = JSON.stringify(checked).includes('"default"');

  const toResult = (data: unknown, valid: boolean): ValidationResult<I> =>
    valid
      ? { ok: true, value: data as I }
      : {
          ok: false,
          message: invalidInputMessage(toolName, (validateFn.errors ?? []).map(formatAjvError)),
        };

  return {
    jsonSchema: shown,
    validate(value) {
      let data = value;
      if (copyFirst) {
        try {
          data = structuredClone(value);
        } catch {
          // Not cloneable (a function inside): validate in place rather than fail.
        }
      }
      let valid: boolean | Promise<unknown>;
      try {
        // Typed as boolean, but a schema with `$async: true` makes it return a promise.
        valid = validateFn(data) as boolean | Promise<unknown>;
      } catch (error) {
        return { ok: false, message: validatorCrashMessage(toolName, error) };
      }
      if (typeof valid === 'boolean') return toResult(data, valid);
      // An `$async` schema: ajv resolves with the data or rejects with its errors.
      return valid.then(
        () => toResult(data, true),
        (error: unknown) =>
          error instanceof Ajv.ValidationError
            ? {
                ok: false as const,
                message: invalidInputMessage(
                  toolName,
                  (error.errors as ErrorObject[]).map(formatAjvError),
                ),
              }
            : { ok: false as const, message: validatorCrashMessage(toolName, error) },
      );
    },
  };
}

function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  // arktype's types are functions, so functions count too.
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const standard = (value as Partial<StandardSchemaV1>)['~standard'];
  return (
    typeof standard === 'object' && standard !== null && typeof standard.validate === 'function'
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

/** Drops `$schema`: providers do not need it and some reject it. */
function withoutMetaSchema(schema: JsonSchema): JsonSchema {
  if (!('$schema' in schema)) return schema;
  const { $schema: _, ...rest } = schema;
  return rest;
}

/**
 * A schema that says nothing of its type (`{}`, or only `properties`) is taken as an object
 * schema: what a tool without parameters, or a hand-written one, most often means.
 */
function asObjectSchema(schema: JsonSchema): JsonSchema {
  const composite = ['type', 'anyOf', 'oneOf', 'allOf', '$ref', 'enum', 'const', 'not'];
  if (composite.some((key) => key in schema)) return schema;
  return { type: 'object', ...schema };
}

function assertObjectSchema(schema: JsonSchema, option: string, toolName: string): void {
  if (schema.type !== 'object') {
    throw new InvalidOptionError(
      `${toolName}.${option}`,
      "an object schema with `type: 'object'` (tool inputs are JSON objects: wrap any other value in a property)",
      schema.type,
    );
  }
}

function invalidInputMessage(toolName: string, issues: readonly string[]): string {
  if (issues.length === 0) return `Invalid input for ${toolName}`;
  const shown = issues.slice(0, maxIssues).join('; ');
  const more = issues.length > maxIssues ? `; and ${issues.length - maxIssues} more` : '';
  return `Invalid input for ${toolName}: ${shown}${more}`;
}

function validatorCrashMessage(toolName: string, error: unknown): string {
  return `Could not validate input for ${toolName}: ${truncate(errorText(error))}`;
}

function formatIssue(issue: StandardSchemaV1.Issue): string {
  // zod prefixes every message with "Invalid input: ", which the message already says.
  const message = truncate(issue.message.replace(/^Invalid input: /, ''));
  const path = issue.path ? formatPath(issue.path) : '';
  // arktype messages already start with the path ("limit must be less than 5").
  if (path === '' || message.startsWith(`${path} `)) return message;
  return `${path}: ${message}`;
}

function formatAjvError(error: ErrorObject): string {
  const path = formatPath(
    error.instancePath === ''
      ? []
      : error.instancePath
          .slice(1)
          .split('/')
          .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~')),
  );
  const prefix = path === '' ? '' : `${path}: `;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${prefix}missing required property ${JSON.stringify(params.missingProperty)}`;
    case 'additionalProperties':
      return `${prefix}unexpected property ${JSON.stringify(params.additionalProperty)}`;
    case 'enum':
      return `${prefix}must be one of ${truncate((params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', '))}`;
    case 'const':
      return `${prefix}must be ${truncate(JSON.stringify(params.allowedValue) ?? 'the constant')}`;
    default:
      return `${prefix}${truncate(error.message ?? `fails ${error.keyword}`)}`;
  }
}

const identifier = /^[A-Za-z_$][\w$]*$/;
const index = /^\d+$/;

/**
 * An issue path as a model reads it: `a.b[0]["odd key"]`. Segments may be keys or Standard
 * Schema `{ key }` objects.
 */
export function formatPath(
  path: ReadonlyArray<PropertyKey | StandardSchemaV1.PathSegment>,
): string {
  let text = '';
  for (const segment of path) {
    const key = typeof segment === 'object' ? segment.key : segment;
    if (typeof key === 'number' || (typeof key === 'string' && index.test(key))) {
      text += `[${String(key)}]`;
    } else if (typeof key === 'string' && identifier.test(key)) {
      text += text === '' ? key : `.${key}`;
    } else {
      text += `[${typeof key === 'symbol' ? String(key) : JSON.stringify(key)}]`;
    }
  }
  return text;
}

function truncate(text: string): string {
  return text.length > maxIssueLength ? `${text.slice(0, maxIssueLength)}…` : text;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    // Something thrown without a usable `toString`, such as `Object.create(null)`.
    return typeof error;
  }
}
