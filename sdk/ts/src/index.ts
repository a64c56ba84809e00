/**
 * txexplain client: a small fetch wrapper over the types openapi-typescript generated from the
 * server's OpenAPI document (src/schema.d.ts; regenerate with `npm run generate`).
 *
 * A wallet passes the EIP-1193 request it already holds, unchanged; `chainId` is added beside it
 * (EIP-1193 keeps the chain outside the request object):
 *
 *   const client = new TxExplainClient("http://127.0.0.1:8000", { apiKey });
 *   const result = await client.explain({ method: "eth_sendTransaction", params: [tx] }, { chainId: 1 });
 *   if (result.verdict === "block") ...
 */
import type { components, paths } from "./schema.js";

type Schemas = components["schemas"];
export type ExplainResult = Schemas["ExplainResult"];
export type DecodeResult = Schemas["DecodeResult"];
export type SimulateResult = Schemas["SimulateResult"];
export type RuleCatalogue = Schemas["RuleCatalogue"];
export type Readiness = Schemas["Readiness"];
export type RecordList = Schemas["RecordList"];
export type RecordView = Schemas["RecordView"];
export type Checkpoint = Schemas["Checkpoint"];
export type Problem = Schemas["Problem"];
export type RecordFilters = NonNullable<paths["/v1/audit/records"]["get"]["parameters"]["query"]>;

/** An EIP-1193 request as a provider receives it (`eth_sendTransaction`, `eth_signTypedData_v4`, …). */
export interface Eip1193Request {
  method: string;
  params?: readonly unknown[] | Record<string, unknown>;
}

/** Either an EIP-1193 request or a bare transaction object. */
export type TxExplainRequest = Eip1193Request | Record<string, unknown>;

export interface ClientOptions {
  /** `txe_<id>_<secret>`; required when the server is bound off loopback. */
  apiKey?: string;
  /** Defaults to the global fetch (Node 18+, browsers). */
  fetch?: typeof fetch;
  /** Abort a call after this many milliseconds (default 60 000). */
  timeoutMs?: number;
}

export interface ChainOption {
  chainId?: number;
}

/** One server-sent event of `explainStream`: the audited `result` first, then the `narrative`. */
export type StreamEvent =
  | { event: "result"; data: ExplainResult }
  | { event: "narrative"; data: Record<string, unknown> }
  | { event: "error"; data: Problem }
  | { event: string; data: unknown };

/** A non-2xx answer, with the RFC 9457 problem body; `errors` names each offending field. */
export class TxExplainError extends Error {
  readonly status: number;
  readonly problem: Partial<Problem> & Record<string, unknown>;
  readonly errors: { field: string; message: string }[];
  readonly retryAfter: string | null;

  constructor(status: number, problem: Partial<Problem> & Record<string, unknown>, retryAfter: string | null) {
    super(`${status} ${problem.title ?? ""}: ${problem.detail ?? ""}`.trim());
    this.name = "TxExplainError";
    this.status = status;
    this.problem = problem;
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.retryAfter = retryAfter;
  }
}

/** The request body: `request` unchanged, plus `chain_id` when given and not already there. */
export function withChain(request: TxExplainRequest, chainId?: number): Record<string, unknown> {
  if (chainId === undefined || "chain_id" in request) return { ...request };
  return { ...request, chain_id: chainId };
}

export class TxExplainClient {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(baseUrl: string, options: ClientOptions = {}) {
    this.base = baseUrl.replace(/\/+$/, "");
    this.headers = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** Explain a transaction or signing request; the result is audited before it is returned. */
  explain(request: TxExplainRequest, options: ChainOption = {}): Promise<ExplainResult> {
    return this.post("/v1/explain", withChain(request, options.chainId));
  }

  /** Decode only: no simulation, no model, nothing stored. */
  decode(request: TxExplainRequest, options: ChainOption = {}): Promise<DecodeResult> {
    return this.post("/v1/decode", withChain(request, options.chainId));
  }

  /** Decode and simulate a transaction; no verdict, nothing stored. */
  simulate(request: TxExplainRequest, options: ChainOption = {}): Promise<SimulateResult> {
    return this.post("/v1/simulate", withChain(request, options.chainId));
  }

  /** The active policy's rule catalogue. */
  rules(): Promise<RuleCatalogue> {
    return this.get("/v1/rules");
  }

  /** The readiness report (throws TxExplainError with status 503 when not ready). */
  ready(): Promise<Readiness> {
    return this.get("/readyz");
  }

  /** Audit records, newest first; pass `next_cursor` back as `cursor`. */
  auditRecords(filters: RecordFilters = {}): Promise<RecordList> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(filters)) {
      if (value !== undefined && value !== null) query.set(key, String(value));
    }
    const suffix = query.size ? `?${query}` : "";
    return this.get(`/v1/audit/records${suffix}`);
  }

  /** One audit record with its canonical JSON, hashes and inclusion proof. */
  auditRecord(id: string): Promise<RecordView> {
    return this.get(`/v1/audit/records/${encodeURIComponent(id)}`);
  }

  /** The newest signed checkpoint. */
  latestCheckpoint(): Promise<Checkpoint> {
    return this.get("/v1/audit/checkpoints/latest");
  }

  /** `?stream=true`: the audited deterministic result at once, then the validated narrative. */
  async *explainStream(request: TxExplainRequest, options: ChainOption = {}): AsyncGenerator<StreamEvent> {
    const response = await this.call("/v1/explain?stream=true", withChain(request, options.chainId));
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
        const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
        if (data) yield { event, data: JSON.parse(data) } as StreamEvent;
      }
    }
  }

  private async get<T>(path: string): Promise<T> {
    return (await (await this.call(path)).json()) as T;
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    return (await (await this.call(path, body)).json()) as T;
  }

  private async call(path: string, body?: unknown): Promise<Response> {
    const init: RequestInit = {
      method: body === undefined ? "GET" : "POST",
      headers: body === undefined ? this.headers : { ...this.headers, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    };
    const response = await this.fetchImpl(this.base + path, init);
    if (response.ok) return response;
    let problem: Record<string, unknown>;
    const text = await response.text();
    try {
      const parsed: unknown = JSON.parse(text);
      problem = parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : { detail: text };
    } catch {
      problem = { title: response.statusText, detail: text.slice(0, 500) };
    }
    throw new TxExplainError(response.status, problem, response.headers.get("retry-after"));
  }
}
