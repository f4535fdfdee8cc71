import type Anthropic from '@anthropic-ai/sdk';
import { toAnthropic } from '../../formats/anthropic.js';
import type { AgentMessage, ModelTool } from '../model.js';
import { parseArguments } from './tool-arguments.js';

/**
 * The transcript as Messages API `messages`. A user message is `{ role: 'user', content }`; an
 * assistant message holds its thinking blocks (Anthropic's own, unchanged), its text (when not blank: the API rejects blank text blocks) then one
 * `tool_use` block per call, its `input` parsed from the JSON text (`{}` when that text is cut
 * off or invalid: the API takes only objects). Tool results become the user message of
 * `toAnthropic`, results first in call order; a user message right after them joins that message
 * as its closing text, as the API requires.
 */
export function toAnthropicMessages(messages: readonly AgentMessage[]): Anthropic.MessageParam[] {
  const out: Anthropic.MessageParam[] = [];
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as AgentMessage;
    switch (message.role) {
      case 'user':
        out.push({ role: 'user', content: message.content });
        break;
      case 'assistant':
        out.push({ role: 'assistant', content: assistantContent(message) });
        break;
      case 'tool': {
        const next = messages[i + 1];
        const text = next?.role === 'user' && next.content.trim() !== '' ? next.content : undefined;
        if (text !== undefined) i++;
        const reply = toAnthropic(message.results, text === undefined ? {} : { text });
        if (reply.content.length > 0) out.push(reply);
        break;
      }
    }
  }
  return out;
}

function assistantContent(
  message: Extract<AgentMessage, { role: 'assistant' }>,
): Anthropic.ContentBlockParam[] {
  const content: Anthropic.ContentBlockParam[] = [];
  // Thinking first, exactly as it came: the API checks the signatures, and requires the
  // thinking of an answer that used tools to come back with it. Other providers' reasoning is
  // theirs.
  for (const part of message.reasoning ?? []) {
    if (part.provider !== 'anthropic') continue;
    if (part.kind === 'thinking' && part.signature !== undefined) {
      content.push({ type: 'thinking', thinking: part.text ?? '', signature: part.signature });
    } else if (part.kind === 'redacted_thinking' && typeof part.data === 'string') {
      content.push({ type: 'redacted_thinking', data: part.data });
    }
  }
  if (message.content.trim() !== '') content.push({ type: 'text', text: message.content });
  for (const call of message.toolCalls) {
    const input = parseArguments(call.input) ?? {};
    content.push({ type: 'tool_use', id: call.id, name: call.name, input });
  }
  return content;
}

/** Tools as the Messages API takes them: `{ name, description, input_schema }`. */
export function toAnthropicTools(tools: readonly ModelTool[]): Anthropic.Tool[] {
  return tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    input_schema: { type: 'object', ...tool.inputSchema } as Anthropic.Tool.InputSchema,
  }));
}
