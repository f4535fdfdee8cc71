import type { Tool } from '../../tool/define-tool.js';

/** An input that satisfies a tool's JSON Schema properties at their simplest (1, "x", true). */
export function sampleInput(tool: Tool): Record<string, unknown> {
  const schema = tool.inputSchema.jsonSchema as {
    properties?: Record<string, { type?: unknown }>;
  };
  const properties = schema.properties;
  const input: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(properties ?? {})) {
    const type = Array.isArray(property.type) ? property.type[0] : property.type;
    input[name] =
      type === 'number' || type === 'integer'
        ? 1
        : type === 'boolean'
          ? true
          : type === 'array'
            ? []
            : type === 'object'
              ? {}
              : 'x';
  }
  return input;
}
