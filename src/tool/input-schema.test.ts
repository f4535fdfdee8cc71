import type { StandardSchemaV1 } from '@standard-schema/spec';
import { toJsonSchema, toStandardJsonSchema } from '@valibot/to-json-schema';
import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InvalidOptionError } from '../errors.js';
import {
  createInputSchema,
  formatPath,
  type JsonSchema,
  type ValidationResult,
} from './input-schema.js';

const toolName = 'read_file';

/** Validates and insists the result is synchronous. */
function validateSync<I>(schema: { validate(v: unknown): unknown }, value: unknown) {
  const result = schema.validate(value);
  expect(result).not.toBeInstanceOf(Promise);
  return result as ValidationResult<I>;
}

function messageOf(result: ValidationResult<unknown>): string {
  if (result.ok) throw new Error('expected a failed validation');
  return result.message;
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('createInputSchema with zod', () => {
  const schema = z.object({
    path: z.string(),
    limit: z.number().max(5).default(3),
    tag: z
      .string()
      .optional()
      .transform((t) => t?.toUpperCase()),
  });

  it('derives the JSON Schema without $schema', () => {
    const input = createInputSchema(schema, { toolName });
    expect(input.jsonSchema).not.toHaveProperty('$schema');
    expect(input.jsonSchema).toMatchObject({
      type: 'object',
      properties: { path: { type: 'string' }, limit: { type: 'number', maximum: 5, default: 3 } },
      required: ['path'],
    });
  });

  it('returns the parsed value with defaults and transforms, synchronously', () => {
    const input = createInputSchema(schema, { toolName });
    expect(validateSync(input, { path: 'a.txt', tag: 'x' })).toEqual({
      ok: true,
      value: { path: 'a.txt', limit: 3, tag: 'X' },
    });
  });

  it('lists every issue with its path in one message', () => {
    const input = createInputSchema(schema, { toolName });
    const message = messageOf(validateSync(input, { path: 1, limit: 9 }));
    expect(message).toMatch(
      /^Invalid input for read_file: path: expected string, received number; /,
    );
    expect(message).toContain('limit: Too big');
    expect(message).not.toContain('Invalid input: ');
  });

  it('formats nested paths', () => {
    const input = createInputSchema(z.object({ edits: z.array(z.object({ old: z.string() })) }), {
      toolName,
    });
    expect(messageOf(validateSync(input, { edits: [{ old: 'a' }, { old: 2 }] }))).toContain(
      'edits[1].old: expected string',
    );
  });

  it('keeps an async validator async and resolves it', async () => {
    const input = createInputSchema(
      z.object({ path: z.string() }).refine(async (i) => i.path !== 'secret', 'path is private'),
      { toolName },
    );
    const good = input.validate({ path: 'a' });
    expect(good).toBeInstanceOf(Promise);
    await expect(good).resolves.toEqual({ ok: true, value: { path: 'a' } });
    await expect(input.validate({ path: 'secret' })).resolves.toEqual({
      ok: false,
      message: 'Invalid input for read_file: path is private',
    });
  });

  it('caps the number of issues', () => {
    const shape = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`p${i}`, z.string()]));
    const input = createInputSchema(z.object(shape), { toolName });
    const message = messageOf(validateSync(input, {}));
    expect(message.match(/p\d+:/g)).toHaveLength(10);
    expect(message).toMatch(/; and 5 more$/);
  });

  it('refuses schemas that are not objects or cannot be converted', () => {
    const notObject = thrown(() => createInputSchema(z.string(), { toolName }));
    expect(notObject).toBeInstanceOf(InvalidOptionError);
    expect(notObject.message).toContain('`read_file.input`');
    expect(notObject.message).toContain("type: 'object'");

    const custom = thrown(() =>
      createInputSchema(z.object({ when: z.custom<Date>(() => true) }), { toolName }),
    );
    expect(custom).toBeInstanceOf(InvalidOptionError);
    expect(custom.message).toContain('inputJsonSchema');
  });

  it('uses inputJsonSchema when given, without $schema', () => {
    const jsonSchema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { path: { type: 'string', description: 'a file' } },
    };
    const input = createInputSchema(z.object({ path: z.string() }), { toolName, jsonSchema });
    expect(input.jsonSchema).toEqual({
      type: 'object',
      properties: { path: { type: 'string', description: 'a file' } },
    });
  });
});

describe('createInputSchema with valibot', () => {
  const schema = v.object({ path: v.string(), limit: v.optional(v.number(), 3) });
  // valibot's JsonSchema is an interface, which TypeScript will not assign to a Record.
  const jsonSchemaOf = (s: Parameters<typeof toJsonSchema>[0]) => toJsonSchema(s) as JsonSchema;

  it('asks for inputJsonSchema, naming the converter', () => {
    const error = thrown(() => createInputSchema(schema, { toolName }));
    expect(InvalidOptionError.isInstance(error)).toBe(true);
    expect(error.message).toContain('`read_file.inputJsonSchema`');
    expect(error.message).toContain('@valibot/to-json-schema');
  });

  it('works with the documented converter', () => {
    const input = createInputSchema(schema, { toolName, jsonSchema: jsonSchemaOf(schema) });
    expect(input.jsonSchema).toEqual({
      type: 'object',
      properties: { path: { type: 'string' }, limit: { type: 'number', default: 3 } },
      required: ['path'],
    });
    expect(validateSync(input, { path: 'a' })).toEqual({
      ok: true,
      value: { path: 'a', limit: 3 },
    });
    // valibot paths are `{ key }` objects.
    expect(messageOf(validateSync(input, { path: 1 }))).toBe(
      'Invalid input for read_file: path: Invalid type: Expected string but received 1',
    );
  });

  it('works with toStandardJsonSchema as the input', () => {
    const input = createInputSchema(toStandardJsonSchema(schema), { toolName });
    expect(input.jsonSchema).toMatchObject({ type: 'object', required: ['path'] });
    expect(validateSync(input, { path: 'a' })).toEqual({
      ok: true,
      value: { path: 'a', limit: 3 },
    });
  });

  it('caps an issue that quotes a huge value', () => {
    const input = createInputSchema(schema, { toolName, jsonSchema: jsonSchemaOf(schema) });
    const message = messageOf(validateSync(input, { path: 'x', limit: 'y'.repeat(100_000) }));
    expect(message.length).toBeLessThan(300);
  });
});

describe('createInputSchema with arktype', () => {
  const schema = type({ path: 'string', 'limit?': 'number<5' });

  it('derives the JSON Schema', () => {
    const input = createInputSchema(schema, { toolName });
    expect(input.jsonSchema).toEqual({
      type: 'object',
      properties: { path: { type: 'string' }, limit: { type: 'number', exclusiveMaximum: 5 } },
      required: ['path'],
    });
  });

  it('validates without repeating the path arktype already names', () => {
    const input = createInputSchema(schema, { toolName });
    expect(validateSync(input, { path: 'a' })).toEqual({ ok: true, value: { path: 'a' } });
    expect(messageOf(validateSync(input, { path: 1, limit: 9 }))).toBe(
      'Invalid input for read_file: path must be a string (was a number); limit must be less than 5 (was 9)',
    );
  });
});

describe('createInputSchema with a JSON Schema', () => {
  const schema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: {
      email: { type: 'string', format: 'email' },
      mode: { enum: ['fast', 'slow'], default: 'fast' },
      items: { type: 'array', items: { type: 'object', required: ['name'] } },
      'odd key': { type: 'integer' },
    },
    required: ['email'],
    additionalProperties: false,
  };

  it('sends the schema without $schema', () => {
    const input = createInputSchema(schema, { toolName });
    expect(input.jsonSchema).not.toHaveProperty('$schema');
    expect(input.jsonSchema.properties).toBe(schema.properties);
  });

  it('applies defaults to a copy of the input', () => {
    const input = createInputSchema(schema, { toolName });
    const value = { email: 'a@b.co' };
    expect(validateSync(input, value)).toEqual({
      ok: true,
      value: { email: 'a@b.co', mode: 'fast' },
    });
    expect(value).toEqual({ email: 'a@b.co' });
  });

  it('explains every error: format, enum, required, extra keys, nested paths', () => {
    const input = createInputSchema(schema, { toolName });
    const message = messageOf(
      validateSync(input, { email: 'nope', mode: 'medium', extra: 1, items: [{}], 'odd key': 1.5 }),
    );
    expect(message).toContain('unexpected property "extra"');
    expect(message).toContain('email: must match format "email"');
    expect(message).toContain('mode: must be one of "fast", "slow"');
    expect(message).toContain('items[0]: missing required property "name"');
    expect(message).toContain('["odd key"]: must be integer');
    expect(messageOf(validateSync(input, {}))).toBe(
      'Invalid input for read_file: missing required property "email"',
    );
  });

  it('supports $async schemas', async () => {
    const input = createInputSchema(
      { $async: true, type: 'object', properties: { n: { type: 'number' } } },
      { toolName },
    );
    await expect(input.validate({ n: 1 })).resolves.toEqual({ ok: true, value: { n: 1 } });
    await expect(input.validate({ n: 'x' })).resolves.toEqual({
      ok: false,
      message: 'Invalid input for read_file: n: must be number',
    });
  });

  it('compiles a draft 2020-12 document', () => {
    const input = createInputSchema(
      { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' },
      { toolName },
    );
    expect(validateSync(input, {})).toEqual({ ok: true, value: {} });
  });

  it('refuses invalid and non-object schemas, naming the option', () => {
    const invalid = thrown(() =>
      createInputSchema({ type: 'object', properties: { a: { type: 'strin' } } }, { toolName }),
    );
    expect(invalid).toBeInstanceOf(InvalidOptionError);
    expect(invalid.message).toContain('`read_file.input`');
    expect(invalid.message).toContain('strin');

    const notObject = thrown(() => createInputSchema({ type: 'string' }, { toolName }));
    expect(notObject).toBeInstanceOf(InvalidOptionError);
    expect(notObject.message).toContain("type: 'object'");
  });

  it('refuses anything that is neither kind of schema', () => {
    for (const input of [42, 'x', null, [], new Date(), () => {}]) {
      expect(() => createInputSchema(input as never, { toolName })).toThrow(InvalidOptionError);
    }
    expect(() =>
      createInputSchema({ type: 'object' }, { toolName, jsonSchema: [] as never }),
    ).toThrow(InvalidOptionError);
  });
});

describe('createInputSchema with other Standard Schemas', () => {
  const custom = (
    validate: (v: unknown) => StandardSchemaV1.Result<unknown>,
  ): StandardSchemaV1 => ({
    '~standard': { version: 1, vendor: 'acme', validate },
  });

  it('asks for inputJsonSchema when there is no JSON Schema support', () => {
    const error = thrown(() =>
      createInputSchema(
        custom(() => ({ value: 1 })),
        { toolName },
      ),
    );
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error.message).toContain('acme');
    expect(error.message).toContain('inputJsonSchema');
  });

  it('turns a crashing validator into a failed result', () => {
    const input = createInputSchema(
      custom(() => {
        throw new Error('boom');
      }),
      { toolName, jsonSchema: { type: 'object' } },
    );
    expect(validateSync(input, {})).toEqual({
      ok: false,
      message: 'Could not validate input for read_file: boom',
    });
  });

  it('formats root issues, symbol keys and PathSegments', () => {
    const input = createInputSchema(
      custom(() => ({
        issues: [
          { message: 'must be an object' },
          { message: 'bad', path: [{ key: 'a' }, 0, Symbol('s')] },
        ],
      })),
      { toolName, jsonSchema: { type: 'object' } },
    );
    expect(messageOf(validateSync(input, {}))).toBe(
      'Invalid input for read_file: must be an object; a[0][Symbol(s)]: bad',
    );
  });
});

describe('formatPath', () => {
  it('reads like an accessor', () => {
    expect(formatPath([])).toBe('');
    expect(formatPath(['a', 'b', 0, '1', { key: 'c d' }, '$x'])).toBe('a.b[0][1]["c d"].$x');
  });
});
