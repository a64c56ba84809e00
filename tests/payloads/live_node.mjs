// An EIP-1193 provider for the live SDK scripts: every request is recorded and forwarded to a node, except
// eth_sendTransaction, which is recorded and answered by `onSend` (not sent: the node's state stays as it was).
export function recordingProvider(url, onSend) {
  const seen = [];
  let id = 0;
  const provider = {
    async request({ method, params }) {
      seen.push({ method, params: params ?? [] });
      if (method === 'eth_sendTransaction') return onSend();
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params: params ?? [] }) });
      const body = await response.json();
      if (body.error) throw Object.assign(new Error(body.error.message), { code: body.error.code });
      return body.result;
    },
  };
  const last = (method) => seen.filter((r) => r.method === method).at(-1);
  return { provider, seen, last };
}
