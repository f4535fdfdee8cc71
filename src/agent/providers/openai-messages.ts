import type OpenAI from 'openai';
import { toOpenAI } from '../../formats/openai.js';
import type { AgentMessage, ModelTool } from '../model.js';
import { parseArguments } from './tool-arguments.js';

type MessageParam = OpenAI.Chat.Completions.ChatCompletionMessageParam;

/**
 * The transcript as Chat Completions `messages`, without the system message (the request puts it
 * first). An assistant message that made calls carries its `reasoning_content` (this provider's,
 * as DeepSeek requires) and each call its `extra_content` (Gemini's thought signature). An
 * assistant message carries its text (`null` when blank and it made calls) and its
 * `tool_calls` as `{ id, type: 'function', function: { name, arguments } }`; `arguments` is the
 * model's JSON text, or `{}` when that text is cut off or invalid, since compatible servers that
 * parse it (vLLM, Ollama) reject the request otherwise. Results become one `tool` message per
 * call, in call order (`toOpenAI`).
 */
export function toOpenAIMessages(
  messages: readonly AgentMessage[],
  provider = 'openai',
): MessageParam[] {
  const out: MessageParam[] = [];
  for (const message of messages) {
    switch (message.role) {
      case 'user':
        out.push({ role: 'user', content: message.content });
        break;
      case 'assistant': {
        if (message.toolCalls.length === 0) {
          out.push({ role: 'assistant', content: message.content });
          break;
        }
        const answer: MessageParam & { reasoning_content?: string } = {
          role: 'assistant',
          content: message.content.trim() === '' ? null : message.content,
          tool_calls: message.toolCalls.map((call) => {
            const toolCall: OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall & {
              extra_content?: unknown;
            } = {
              id: call.id,
              type: 'function',
              function: {
                name: call.name,
                arguments: parseArguments(call.input) === undefined ? '{}' : call.input,
              },
            };
            // Gemini's thought signature rides on the call and must come back on it.
            const data = call.providerData;
            if (data?.provider === provider && data.extra_content !== undefined) {
              toolCall.extra_content = data.extra_content;
            }
            return toolCall;
          }),
        };
        // DeepSeek (thinking mode) wants the reasoning of an answer that made calls back.
        const reasoning = (message.reasoning ?? [])
          .filter((p) => p.provider === provider && p.kind === 'reasoning_content')
          .map((p) => p.text ?? '')
          .join('');
        if (reasoning !== '') answer.reasoning_content = reasoning;
        out.push(answer);
        break;
      }
      case 'tool':
        out.push(...toOpenAI(message.results));
        break;
    }
  }
  return out;
}

/** Tools as Chat Completions takes them: `{ type: 'function', function: { name, ... } }`. */
export function toOpenAITools(
  tools: readonly ModelTool[],
): OpenAI.Chat.Completions.ChatCompletionTool[] {
  return tools.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
  }));
}
