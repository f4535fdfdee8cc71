// salvo under LangGraph: salvoToolNode in place of ToolNode, with a fake chat model: no API key.
// `npx tsx examples/langgraph.ts`
import { fileURLToPath } from 'node:url';
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import { END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { toolsCondition } from '@langchain/langgraph/prebuilt';
import { salvoToolNode, tracesOf } from '../src/adapters/langchain.js'; // 'salvo/langchain'
import { renderTimeline } from '../src/index.js';
import { filesScheduler, freshFiles, stepCalls } from './files-world.js';

/** Asks for the step's calls, then answers. */
class ScriptedChatModel extends BaseChatModel {
  #requests = 0;
  _llmType(): string {
    return 'scripted';
  }
  async _generate(_messages: BaseMessage[]): Promise<ChatResult> {
    this.#requests++;
    const message =
      this.#requests === 1
        ? new AIMessage({
            content: '',
            tool_calls: stepCalls.map((c) => ({ id: c.id, name: c.name, args: c.input })),
          })
        : new AIMessage('Both edits are in.');
    return { generations: [{ text: '', message }] };
  }
}

export async function runLangGraphExample({ editMs = 200, print = console.log } = {}) {
  const files = freshFiles();
  const tools = salvoToolNode(filesScheduler(files, editMs));
  const model = new ScriptedChatModel({}); // a real one: model.bindTools(toLangChainTools(scheduler))
  const graph = new StateGraph(MessagesAnnotation)
    .addNode('agent', async (state) => ({ messages: [await model.invoke(state.messages)] }))
    .addNode('tools', tools)
    .addEdge(START, 'agent')
    .addConditionalEdges('agent', toolsCondition, ['tools', END])
    .addEdge('tools', 'agent')
    .compile();
  const state = await graph.invoke({ messages: [{ role: 'user', content: 'Edit a.txt twice' }] });
  print(`model: ${String(state.messages.at(-1)?.content)}`);
  print(`a.txt = ${files.get('a.txt')}`);
  print(renderTimeline([...tracesOf(tools)]));
  return files.get('a.txt');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runLangGraphExample();
