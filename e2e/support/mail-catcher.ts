import { SMTPServer } from 'smtp-server';

/** A real SMTP server that keeps every message, for sign-in emails in tests. */
export class MailCatcher {
  readonly messages: string[] = [];
  /** The same messages exactly as they arrived (for `decodeMail`). */
  readonly raw: string[] = [];
  private server!: SMTPServer;
  port = 0;

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      onData: (stream, _session, done) => {
        let text = '';
        stream.on('data', (chunk) => (text += chunk));
        stream.on('end', () => {
          this.raw.push(text);
          this.messages.push(text.replace(/=\r?\n/g, ''));
          done();
        });
      },
    });
    // Port 0: the kernel picks a free port, so parallel test files never race for one.
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as { port: number }).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Waits for a message to `to` and returns the first match of `pattern` in it. */
  async find(to: string, pattern: RegExp, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = this.messages.find((m) => m.toLowerCase().includes(to.toLowerCase()) && pattern.test(m));
      if (message) return pattern.exec(message)![1];
      if (Date.now() > deadline) throw new Error(`no email to ${to} matching ${pattern}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Every message to `to` (an address), decoded. */
  to(to: string): DecodedMail[] {
    return this.raw.filter((m) => headerOf(m, 'to').toLowerCase().includes(to.toLowerCase())).map(decodeMail);
  }

  /** Waits until `count` messages to `to` have arrived and returns them decoded. */
  async waitFor(to: string, count = 1, timeoutMs = 5000): Promise<DecodedMail[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.to(to);
      if (found.length >= count) return found;
      if (Date.now() > deadline) throw new Error(`${found.length} of ${count} emails to ${to} arrived`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A caught message as a person reads it: the subject and each part, transfer encodings undone. */
export interface DecodedMail {
  subject: string;
  text: string;
  html: string;
}

/**
 * Decodes what nodemailer writes: a single part or multipart/alternative, each part quoted-printable,
 * base64 or 7bit, and RFC 2047 encoded words in the (folded) subject.
 */
export function decodeMail(raw: string): DecodedMail {
  const { headers, body } = splitPart(raw);
  const out: DecodedMail = { subject: decodeWords(headers['subject'] ?? ''), text: '', html: '' };
  const parts = multipartBodies(headers['content-type'] ?? '', body) ?? [raw];
  for (const part of parts) {
    const { headers: h, body: b } = splitPart(part);
    const type = (h['content-type'] ?? 'text/plain').toLowerCase();
    const content = decodeBody(b, (h['content-transfer-encoding'] ?? '7bit').toLowerCase()).replace(/\r\n/g, '\n');
    if (type.startsWith('text/html')) out.html = content;
    else if (type.startsWith('text/plain')) out.text = content;
  }
  return out;
}

function headerOf(raw: string, name: string): string {
  return splitPart(raw).headers[name] ?? '';
}

function splitPart(raw: string): { headers: Record<string, string>; body: string } {
  const at = raw.search(/\r?\n\r?\n/);
  const head = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? '' : raw.slice(at).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

function multipartBodies(contentType: string, body: string): string[] | null {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!/^multipart\//i.test(contentType) || !boundary) return null;
  return body
    .split(`--${boundary}`)
    .slice(1)
    .filter((part) => !part.startsWith('--'))
    .map((part) => part.replace(/^\r?\n/, ''));
}

function decodeBody(body: string, encoding: string): string {
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') return quotedPrintable(body.replace(/=\r?\n/g, ''));
  return body;
}

function quotedPrintable(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-F]{2}$/i.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`), adjacent ones joined. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_m, _charset: string, kind: string, data: string) =>
      kind.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : quotedPrintable(data.replace(/_/g, ' ')),
    );
}
