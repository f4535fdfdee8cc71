import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The files of the demo's project, `orders-api`: a small TypeScript HTTP service with handlers,
 * a database module, auth, utilities and tests. A few problems are planted for the scripted
 * reviewers to find (see `demo-findings.ts`). Paths are relative and `/`-separated; the content
 * is fixed, so every run reviews and edits the same text.
 */
export function demoProjectFiles(): Record<string, string> {
  return { ...files };
}

/** Writes the demo project into `dir` (created when missing; files already there are replaced). */
export function createDemoProject(dir: string): void {
  for (const [path, content] of Object.entries(files)) {
    const target = join(dir, ...path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}

const files: Record<string, string> = {
  'package.json': `{
  "name": "orders-api",
  "version": "1.4.0",
  "private": true,
  "type": "module",
  "scripts": {
    "build": "tsc -p tsconfig.json",
    "start": "node dist/server.js",
    "test": "vitest run"
  },
  "dependencies": {
    "jsonwebtoken": "^9.0.2",
    "pg": "^8.11.3"
  },
  "devDependencies": {
    "@types/jsonwebtoken": "^9.0.6",
    "@types/node": "^20.11.30",
    "@types/pg": "^8.11.4",
    "typescript": "^5.4.3",
    "vitest": "^1.4.0"
  }
}
`,

  'README.md': `# orders-api

The order service of the shop: users, orders and the monthly sales report, over HTTP.

## Run

\`\`\`sh
npm ci
DATABASE_URL=postgres://localhost/orders JWT_SECRET=... npm start
\`\`\`

## Layout

- \`src/server.ts\`: the HTTP server and its routes
- \`src/handlers/\`: one module per resource (users, orders, reports, health)
- \`src/db/\`: the Postgres pool and the queries
- \`src/auth/\`: JWT signing and the auth middleware
- \`src/utils/\`: formatting, pagination and the report builder
- \`tests/\`: vitest suites
`,

  'tsconfig.json': `{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "outDir": "dist",
    "rootDir": "src"
  },
  "include": ["src"]
}
`,

  '.env.example': `DATABASE_URL=postgres://localhost/orders
JWT_SECRET=change-me
PORT=3000
`,

  'src/server.ts': `import { createServer } from 'node:http';
import { requireUser } from './auth/middleware.js';
import { config } from './config.js';
import { health } from './handlers/health.js';
import { createOrder, listOrders } from './handlers/orders.js';
import { monthlyReport } from './handlers/reports.js';
import { getUser } from './handlers/users.js';
import { logger } from './logger.js';
import type { Handler } from './types.js';

const routes: Record<string, Handler> = {
  'GET /health': health,
  'GET /users/me': requireUser(getUser),
  'GET /orders': requireUser(listOrders),
  'POST /orders': requireUser(createOrder),
  'GET /reports/monthly': requireUser(monthlyReport),
};

const server = createServer(async (req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const handler = routes[\`\${req.method} \${path}\`];
  if (!handler) {
    res.writeHead(404).end();
    return;
  }
  try {
    const { status, body } = await handler(req);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  } catch (error) {
    logger.error('request failed', { path, error: String(error) });
    res.writeHead(500).end();
  }
});

server.listen(config.port, () => logger.info('listening', { port: config.port }));
`,

  'src/config.ts': `export const config = {
  port: Number(process.env.PORT ?? 3000),
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://localhost/orders',
  jwtSecret: process.env.JWT_SECRET ?? 'c9f1e4b27a6d4e0f8b3a5d2e7f9c1a04',
  tokenTtlSeconds: 3600,
};
`,

  'src/logger.ts': `type Fields = Record<string, unknown>;

function write(level: string, message: string, fields: Fields = {}): void {
  console.log(JSON.stringify({ level, message, time: new Date().toISOString(), ...fields }));
}

export const logger = {
  info: (message: string, fields?: Fields) => write('info', message, fields),
  warn: (message: string, fields?: Fields) => write('warn', message, fields),
  error: (message: string, fields?: Fields) => write('error', message, fields),
};
`,

  'src/types.ts': `import type { IncomingMessage } from 'node:http';

export interface User {
  id: string;
  email: string;
  name: string;
}

export interface OrderLine {
  sku: string;
  quantity: number;
  unitCents: number;
}

export interface Order {
  id: string;
  userId: string;
  lines: OrderLine[];
  totalCents: number;
  createdAt: Date;
}

export interface Reply {
  status: number;
  body: unknown;
}

export type Request = IncomingMessage & { user?: User };

export type Handler = (req: Request) => Promise<Reply>;
`,

  'src/auth/jwt.ts': `import jwt from 'jsonwebtoken';
import { config } from '../config.js';
import type { User } from '../types.js';

export function signToken(user: User): string {
  return jwt.sign({ sub: user.id, email: user.email }, config.jwtSecret, {
    expiresIn: config.tokenTtlSeconds,
  });
}

export function verifyToken(token: string): { sub: string; email: string } | undefined {
  try {
    return jwt.verify(token, config.jwtSecret) as { sub: string; email: string };
  } catch {
    return undefined;
  }
}
`,

  'src/auth/middleware.ts': `import { findUserByEmail } from '../db/users.js';
import type { Handler } from '../types.js';
import { verifyToken } from './jwt.js';

export function requireUser(handler: Handler): Handler {
  return async (req) => {
    const header = req.headers.authorization ?? '';
    const claims = verifyToken(header.replace(/^Bearer /, ''));
    if (!claims) return { status: 401, body: { error: 'unauthorized' } };
    const user = await findUserByEmail(claims.email);
    if (!user) return { status: 401, body: { error: 'unknown user' } };
    req.user = user;
    return handler(req);
  };
}
`,

  'src/db/pool.ts': `import pg from 'pg';
import { config } from '../config.js';

export const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 10 });

export async function withTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}
`,

  'src/db/users.ts': `import type { User } from '../types.js';
import { pool } from './pool.js';

export async function findUserById(id: string): Promise<User | undefined> {
  const { rows } = await pool.query<User>('SELECT id, email, name FROM users WHERE id = $1', [id]);
  return rows[0];
}

export async function findUserByEmail(email: string): Promise<User | undefined> {
  const { rows } = await pool.query<User>(
    "SELECT id, email, name FROM users WHERE email = '" + email + "'",
  );
  return rows[0];
}

export async function listUsers(ids: readonly string[]): Promise<User[]> {
  const { rows } = await pool.query<User>(
    'SELECT id, email, name FROM users WHERE id = ANY($1)',
    [ids],
  );
  return rows;
}
`,

  'src/db/orders.ts': `import type { Order } from '../types.js';
import { pool, withTransaction } from './pool.js';

export async function saveOrder(order: Order): Promise<void> {
  await withTransaction(async (client) => {
    await client.query(
      'INSERT INTO orders (id, user_id, total_cents, created_at) VALUES ($1, $2, $3, $4)',
      [order.id, order.userId, order.totalCents, order.createdAt],
    );
    for (const line of order.lines) {
      await client.query(
        'INSERT INTO order_lines (order_id, sku, quantity, unit_cents) VALUES ($1, $2, $3, $4)',
        [order.id, line.sku, line.quantity, line.unitCents],
      );
    }
  });
}

export async function ordersOfUser(userId: string): Promise<Order[]> {
  const { rows } = await pool.query<Order>(
    'SELECT * FROM orders WHERE user_id = $1 ORDER BY created_at DESC',
    [userId],
  );
  return rows;
}

export async function ordersBetween(from: Date, to: Date): Promise<Order[]> {
  const { rows } = await pool.query<Order>(
    'SELECT * FROM orders WHERE created_at >= $1 AND created_at < $2',
    [from, to],
  );
  return rows;
}
`,

  'src/handlers/health.ts': `import { pool } from '../db/pool.js';
import type { Handler } from '../types.js';

export const health: Handler = async () => {
  await pool.query('SELECT 1');
  return { status: 200, body: { ok: true } };
};
`,

  'src/handlers/users.ts': `import type { Handler } from '../types.js';

export const getUser: Handler = async (req) => {
  if (!req.user) return { status: 401, body: { error: 'unauthorized' } };
  const { id, email, name } = req.user;
  return { status: 200, body: { id, email, name } };
};
`,

  'src/handlers/orders.ts': `import { randomUUID } from 'node:crypto';
import { ordersOfUser, saveOrder } from '../db/orders.js';
import type { Handler, Order, OrderLine } from '../types.js';
import { paginate } from '../utils/paginate.js';

async function readJson(req: AsyncIterable<Buffer>): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

export const createOrder: Handler = async (req) => {
  const { lines } = (await readJson(req)) as { lines: OrderLine[] };
  if (!req.user || !Array.isArray(lines) || lines.length === 0) {
    return { status: 400, body: { error: 'an order needs lines' } };
  }
  const order: Order = {
    id: randomUUID(),
    userId: req.user.id,
    lines,
    totalCents: lines.reduce((sum, line) => sum + line.quantity * line.unitCents, 0),
    createdAt: new Date(),
  };
  saveOrder(order);
  return { status: 201, body: order };
};

export const listOrders: Handler = async (req) => {
  if (!req.user) return { status: 401, body: { error: 'unauthorized' } };
  const page = Number(new URL(req.url ?? '/', 'http://localhost').searchParams.get('page') ?? 1);
  return { status: 200, body: paginate(await ordersOfUser(req.user.id), page) };
};
`,

  'src/handlers/reports.ts': `import { ordersBetween } from '../db/orders.js';
import { listUsers } from '../db/users.js';
import type { Handler } from '../types.js';
import { salesByUser } from '../utils/report.js';

export const monthlyReport: Handler = async () => {
  const to = new Date();
  const from = new Date(to.getFullYear(), to.getMonth(), 1);
  // TODO: paginate; this loads every order of the month into memory
  const orders = await ordersBetween(from, to);
  const users = await listUsers([...new Set(orders.map((order) => order.userId))]);
  return { status: 200, body: salesByUser(orders, users) };
};
`,

  'src/utils/format.ts': `export function formatCents(cents: number, currency = 'EUR'): string {
  return new Intl.NumberFormat('en-IE', { style: 'currency', currency }).format(cents / 100);
}

export function formatDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function formatCentsLegacy(cents: number): string {
  return \`\${(cents / 100).toFixed(2)} EUR\`;
}
`,

  'src/utils/paginate.ts': `export interface Page<T> {
  items: T[];
  page: number;
  pages: number;
}

export function paginate<T>(items: readonly T[], page: number, size = 20): Page<T> {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const current = Math.min(Math.max(1, Math.floor(page)), pages);
  return { items: items.slice((current - 1) * size, current * size), page: current, pages };
}
`,

  'src/utils/report.ts': `import type { Order, User } from '../types.js';
import { formatCents } from './format.js';

export interface SalesLine {
  user: string;
  orders: number;
  total: string;
}

export function salesByUser(orders: readonly Order[], users: readonly User[]): SalesLine[] {
  const totals = new Map<string, { orders: number; cents: number }>();
  for (const order of orders) {
    const user = users.find((candidate) => candidate.id === order.userId);
    const key = user?.email ?? 'unknown';
    const entry = totals.get(key) ?? { orders: 0, cents: 0 };
    entry.orders += 1;
    entry.cents += order.totalCents;
    totals.set(key, entry);
  }
  return [...totals].map(([user, { orders, cents }]) => ({
    user,
    orders,
    total: formatCents(cents),
  }));
}
`,

  'tests/format.test.ts': `import { describe, expect, it } from 'vitest';
import { formatCents, formatDate } from '../src/utils/format.js';

describe('formatCents', () => {
  it('formats euros', () => {
    expect(formatCents(123456)).toBe('€1,234.56');
  });
});

describe('formatDate', () => {
  it('keeps the day', () => {
    expect(formatDate(new Date('2024-03-09T12:00:00Z'))).toBe('2024-03-09');
  });
});
`,

  'tests/paginate.test.ts': `import { describe, expect, it } from 'vitest';
import { paginate } from '../src/utils/paginate.js';

describe('paginate', () => {
  const items = Array.from({ length: 45 }, (_, i) => i);

  it('cuts pages of 20', () => {
    expect(paginate(items, 3)).toEqual({ items: [40, 41, 42, 43, 44], page: 3, pages: 3 });
  });

  it('clamps the page number', () => {
    expect(paginate(items, 9).page).toBe(3);
    expect(paginate([], 1)).toEqual({ items: [], page: 1, pages: 1 });
  });
});
`,

  'tests/orders.test.ts': `import { describe, expect, it, vi } from 'vitest';

vi.mock('../src/db/orders.js', () => ({ saveOrder: vi.fn(), ordersOfUser: vi.fn() }));

const { createOrder } = await import('../src/handlers/orders.js');

function request(body: unknown) {
  const req = [Buffer.from(JSON.stringify(body))] as unknown as Parameters<typeof createOrder>[0];
  req.user = { id: 'u1', email: 'ada@example.com', name: 'Ada' };
  return req;
}

describe('createOrder', () => {
  it('creates an order', async () => {
    const reply = await createOrder(request({ lines: [{ sku: 'A', quantity: 2, unitCents: 500 }] }));
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ totalCents: 1000 });
  });
});
`,
};
