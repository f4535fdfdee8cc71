import type OpenAI from 'openai';
import { toOpenAI } from '../../formats/openai.js';
import { isRecord } from '../../formats/result-text.js';
import type { AgentMessage, ModelTool, ReasoningPart } from '../model.js';
import { parseArguments } from './tool-arguments.js';

type InputItem = OpenAI.Responses.ResponseInputItem;
type ReasoningInput = OpenAI.Responses.ResponseReasoningItem;

/** The `Model.provider` of `openAIResponsesModel`: only its reasoning is sent back to it. */
export const responsesProvider = 'openai-responses';

/**
 * The transcript as Responses API `input` items, without the system prompt (the request sends it
 * as `instructions`). Nothing is stored on the server (`store: false`), so each request carries
 * the whole conversation:
 *
 * - a user message becomes `{ role: 'user', content }`;
 * - an assistant message becomes, in order, its reasoning items (only those this provider made,
 *   as `{ type: 'reasoning', id, encrypted_content, summary }`, unchanged), its text as
 *   `{ role: 'assistant', content }` (left out when blank), then one
 *   `{ type: 'function_call', call_id, name, arguments }` per call. `arguments` is the model's
 *   JSON text, or `{}` when that text is cut off or invalid. Reasoning is left out of a message
 *   with neither text nor calls, since the API rejects a reasoning item with no item after it;
 * - tool results become one `{ type: 'function_call_output', call_id, output }` per result, in
 *   call order, `output` being the result's text as `toOpenAI` writes it.
 */
export function toResponsesInput(messages: readonly AgentMessage[]): InputItem[] {
  const out: InputItem[] = [];
  for (const message of messages) {
    switch (message.role) {
      case 'user':
        out.push({ role: 'user', content: message.content });
        break;
      case 'assistant': {
        const hasText = message.content.trim() !== '';
        if (hasText || message.toolCalls.length > 0) {
          for (const part of message.reasoning ?? []) {
            const item = reasoningInput(part);
            if (item) out.push(item);
          }
        }
        if (hasText) out.push({ role: 'assistant', content: message.content });
        for (const call of message.toolCalls) {
          out.push({
            type: 'function_call',
            call_id: call.id,
            name: call.name,
            arguments: parseArguments(call.input) === undefined ? '{}' : call.input,
          });
        }
        break;
      }
      case 'tool':
        for (const result of toOpenAI(message.results)) {
          out.push({
            type: 'function_call_output',
            call_id: result.tool_call_id,
            output: result.content,
          });
        }
        break;
    }
  }
  return out;
}

/**
 * The reasoning item a part came from, as it came, or `undefined` for another provider's part
 * or one whose data has no item id (a transcript edited or loaded from elsewhere).
 */
function reasoningInput(part: ReasoningPart): ReasoningInput | undefined {
  if (part.provider !== responsesProvider || part.kind !== 'reasoning') return undefined;
  const data = part.data;
  if (!isRecord(data) || typeof data.id !== 'string' || data.id === '') return undefined;
  const item: ReasoningInput = {
    type: 'reasoning',
    id: data.id,
    summary: Array.isArray(data.summary) ? (data.summary as ReasoningInput['summary']) : [],
  };
  if (typeof data.encrypted_content === 'string' || data.encrypted_content === null) {
    item.encrypted_content = data.encrypted_content;
  }
  return item;
}

/** Tools as the Responses API takes them: `{ type: 'function', name, ... }`, not strict. */
export function toResponsesTools(tools: readonly ModelTool[]): OpenAI.Responses.FunctionTool[] {
  return tools.map((tool) => ({
    type: 'function',
    name: tool.name,
    description: tool.description,
    parameters: tool.inputSchema,
    strict: false,
  }));
}
