import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anthropicText,
  anthropicThinkingCall,
  chatText,
  deepSeekThinkingCall,
  geminiSignedCall,
  indexZeroCalls,
  openRouterMidStreamError,
  vllmMidStreamError,
} from '../agent/providers/fixtures/field-streams.js';
import {
  completed,
  functionCall,
  reasoning,
  responsesStream,
  textResponse,
} from '../agent/providers/test-responses-sse.js';
import { startTestServer, type TestServer } from '../agent/providers/test-server.js';
import { cleanEnv, runSalvo, tempProject } from './test-cli.js';

// Streams from the field, replayed through `salvo run --json` against a loopback server that
// records the follow-up request: every call runs and is answered by id, and what the provider
// requires back (reasoning, signatures) comes back unchanged.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

interface Body {
  messages: Record<string, unknown>[];
}

async function run(
  provider: 'openai' | 'anthropic' | 'openai-responses',
  ...answers: Parameters<TestServer['enqueue']>
) {
  const { dir, home } = tempProject();
  const first = server.requests.length;
  server.enqueue(...answers);
  const env =
    provider !== 'anthropic'
      ? cleanEnv(home, { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'test' })
      : cleanEnv(home, { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'test' });
  const result = await runSalvo(
    ['run', '--json', '--provider', provider, '-m', 'field-model', 'read the files'],
    { cwd: dir, env },
  );
  const events = result.stdout
    .trimEnd()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const requests = server.requests.slice(first).map((r) => r.body as Body);
  return { result, events, requests };
}

const finished = (events: Record<string, unknown>[]) =>
  events
    .filter((e) => e.event === 'call.finished')
    .map((e) => [e.callId, (e.result as { status: string }).status]);

describe('providers in the field, through salvo run --json', () => {
  it('parallel calls that all say index 0 (Ollama, LiteLLM): every one runs, answered by id', async () => {
    const { result, events, requests } = await run(
      'openai',
      indexZeroCalls(['README.md', 'src/a.ts', 'src/b.ts']),
      chatText('All three read.'),
    );
    expect(result.code).toBe(0);
    expect(finished(events)).toEqual([
      ['call_0', 'success'],
      ['call_1', 'success'],
      ['call_2', 'success'],
    ]);
    const followUp = requests[1]?.messages ?? [];
    const tools = followUp.filter((m) => m.role === 'tool').map((m) => m.tool_call_id);
    expect(tools).toEqual(['call_0', 'call_1', 'call_2']);
    const assistant = followUp.find((m) => m.role === 'assistant') as {
      tool_calls: { id: string; function: { arguments: string } }[];
    };
    expect(assistant.tool_calls.map((c) => [c.id, JSON.parse(c.function.arguments).path])).toEqual([
      ['call_0', 'README.md'],
      ['call_1', 'src/a.ts'],
      ['call_2', 'src/b.ts'],
    ]);
  });

  it('DeepSeek thinking mode: reasoning_content goes back with the answer that made the call', async () => {
    const { result, events, requests } = await run(
      'openai',
      deepSeekThinkingCall(['I should read ', 'the README first.'], 'README.md'),
      chatText('It is a sample.'),
    );
    expect(result.code).toBe(0);
    expect(events.some((e) => e.event === 'agent.reasoning-delta')).toBe(true);
    const assistant = requests[1]?.messages.find((m) => m.role === 'assistant');
    expect(assistant).toMatchObject({
      reasoning_content: 'I should read the README first.',
      tool_calls: [{ id: 'call_00_deepseek' }],
    });
    expect(requests[1]?.messages.find((m) => m.role === 'tool')).toMatchObject({
      tool_call_id: 'call_00_deepseek',
    });
  });

  it("Gemini 3: a call's thought signature is echoed back on that call", async () => {
    const signature = 'CtsBAb4+9vu5o3Yq0nQmJc8S2u1EXAMPLEsig==';
    const { result, requests } = await run(
      'openai',
      geminiSignedCall(signature, 'src/a.ts'),
      chatText('Read it.'),
    );
    expect(result.code).toBe(0);
    const assistant = requests[1]?.messages.find((m) => m.role === 'assistant') as {
      tool_calls: { id: string; extra_content?: unknown }[];
    };
    expect(assistant.tool_calls[0]).toMatchObject({
      id: 'function-call-1',
      extra_content: { google: { thought_signature: signature } },
    });
  });

  it('Anthropic extended thinking with tools: thinking and redacted thinking come back first, unchanged', async () => {
    const thinking = ['Let me look at ', 'the README before answering.'];
    const signature = 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxEXAMPLEsignature';
    const redacted = 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP';
    const { result, events, requests } = await run(
      'anthropic',
      anthropicThinkingCall({ thinking, signature, redacted, path: 'README.md' }),
      anthropicText('It is a sample.'),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(finished(events)).toEqual([['toolu_field_1', 'success']]);
    const assistant = requests[1]?.messages.find((m) => m.role === 'assistant') as {
      content: Record<string, unknown>[];
    };
    expect(assistant.content).toEqual([
      { type: 'thinking', thinking: thinking.join(''), signature },
      { type: 'redacted_thinking', data: redacted },
      { type: 'tool_use', id: 'toolu_field_1', name: 'read_file', input: { path: 'README.md' } },
    ]);
    const user = requests[1]?.messages.at(-1) as { content: Record<string, unknown>[] };
    expect(user.content[0]).toMatchObject({ type: 'tool_result', tool_use_id: 'toolu_field_1' });
  });

  it('Anthropic: a stream whose message_start has no usage (the docs example) is not lost', async () => {
    const { result, events } = await run(
      'anthropic',
      anthropicThinkingCall({
        thinking: ['Reading.'],
        signature: 'sig',
        redacted: 'data',
        path: 'README.md',
        withUsage: false,
      }),
      anthropicText('Done.'),
    );
    expect(result.code).toBe(0);
    expect(events.at(-1)).toMatchObject({ event: 'run.end', text: 'Done.' });
  });

  it("vLLM's error in the stream: the server's message, not 'no finish_reason'", async () => {
    const { result } = await run('openai', vllmMidStreamError('Expecting value: line 1 column 2'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Expecting value: line 1 column 2/);
    expect(result.stderr).not.toMatch(/no finish_reason/);
  });

  it("OpenRouter's error in the stream under HTTP 200: an API error, not 'cannot reach'", async () => {
    const { result } = await run(
      'openai',
      openRouterMidStreamError('Provider returned error: upstream disconnected'),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Provider returned error: upstream disconnected/);
    expect(result.stderr).not.toMatch(/cannot reach/);
  });

  it('the Responses API: parallel calls and encrypted reasoning go back as the API requires', async () => {
    const thought = reasoning(0, 'rs_1', ['Two files to read.'], 'gAAAAB-encrypted-blob');
    const a = functionCall(1, 'fc_a', 'call_a', 'read_file', ['{"path":', '"src/a.ts"}']);
    const b = functionCall(2, 'fc_b', 'call_b', 'read_file', ['{"path":"src/b.ts"}']);
    const { result, events, requests } = await run(
      'openai-responses',
      responsesStream(
        [...thought.steps, ...a.steps, ...b.steps],
        completed([thought.item, a.item, b.item]),
      ),
      textResponse(['Both read.']),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(finished(events)).toEqual([
      ['call_a', 'success'],
      ['call_b', 'success'],
    ]);
    const input = (requests[1] as unknown as { input: Record<string, unknown>[] }).input;
    expect(input.map((item) => item.type ?? item.role)).toEqual([
      'user',
      'reasoning',
      'function_call',
      'function_call',
      'function_call_output',
      'function_call_output',
    ]);
    expect(input[1]).toMatchObject({ id: 'rs_1', encrypted_content: 'gAAAAB-encrypted-blob' });
    expect(input.slice(4).map((item) => item.call_id)).toEqual(['call_a', 'call_b']);
  });
});
