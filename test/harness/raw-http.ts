import { connect } from 'node:net';

/**
 * Sends bytes exactly as given to an HTTP server and returns the status of the answer (null when the
 * server closed the connection without one). For request targets a client library would refuse or fix.
 */
export function rawHttp(port: number, request: string | Buffer, timeoutMs = 5000): Promise<number | null> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve(m ? Number(m[1]) : null);
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('error', done);
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (text.includes('\r\n')) done();
    });
    socket.on('end', done);
    socket.write(request);
  });
}

/** `METHOD target HTTP/1.1` with a Host header and a body, if any. */
export function httpRequest(method: string, target: string, body = '', headers: string[] = []): string {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...headers];
  if (body) lines.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}
