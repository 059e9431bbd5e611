/**
 * What an MCP event stream carried, in the trace. The guarded fetch hands `text/event-stream`
 * responses of MCP requests through unbuffered (a Streamable HTTP POST answered as a stream, the GET
 * stream, the legacy SSE endpoint), so when their exchange is recorded nothing of the body has been
 * read yet. This taps the stream as the caller reads it: every chunk passes on unchanged and at once,
 * and each complete event is added to the exchange's trace entry, its data redacted like any body.
 *
 * Events are split with `eventsource-parser`, the parser the MCP SDK's transports use, so the trace
 * shows the messages the SDK saw.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { Redactor } from './redact';
import type { Trace, TraceExchange } from './trace';

/** Characters of stream messages kept in one trace entry (the same cap as a buffered body). */
export const MAX_STREAM_TRACE_CHARS = 64 * 1024;

/** One event as stream text (`event:`, `id:`, `data:` lines, a blank line), its data redacted. */
function eventText(e: EventSourceMessage, redactor: Redactor): string {
  let out = '';
  if (e.event) out += `event: ${redactor.text(e.event)}\n`;
  if (e.id) out += `id: ${redactor.text(e.id)}\n`;
  // JSON-RPC messages: redacted by key and by value; anything else by value and `"key": "value"` pairs.
  for (const line of redactor.body(e.data, 'application/json').split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/**
 * `response` with a body that records into `entry` (already in `trace`) the events it carries, as
 * they are read. The entry's `response.body` becomes the events as stream text, `bytes` what was
 * read, and at the end of the stream `durationMs` the time until then. Events past
 * MAX_STREAM_TRACE_CHARS are counted, not kept.
 */
export function traceEventStream(response: Response, entry: TraceExchange, trace: Trace, redactor: Redactor): Response {
  if (!response.body || !entry.response) return response;
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  let messages = 0;
  let dropped = 0;
  let current = entry;
  const parser = createParser({
    onEvent(e) {
      messages++;
      const block = eventText(e, redactor);
      if (dropped === 0 && text.length + block.length <= MAX_STREAM_TRACE_CHARS) text += block;
      else dropped++;
    },
  });
  const publish = (done: boolean) => {
    const body = messages === 0 ? current.response!.body : dropped ? `${text}: ${dropped} more message${dropped === 1 ? '' : 's'} not kept in the trace\n` : text;
    current = {
      ...current,
      durationMs: done ? Date.now() - current.startedAt : current.durationMs,
      response: { ...current.response!, body, bytes },
    };
    trace.update(current);
  };
  const body = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        controller.enqueue(chunk);
        bytes += chunk.byteLength;
        const before = messages;
        parser.feed(decoder.decode(chunk, { stream: true }));
        if (messages !== before) publish(false);
      },
      flush() {
        parser.feed(decoder.decode());
        publish(true);
      },
    }),
  );
  const out = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  Object.defineProperty(out, 'url', { value: response.url });
  Object.defineProperty(out, 'redirected', { value: response.redirected });
  return out;
}
