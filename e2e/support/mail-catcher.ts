import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';

/** A message as its reader's mail program shows it: decoded subject, both parts, headers. */
export interface CaughtMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
}

/** A real SMTP server that keeps every message, for sign-in emails in tests. */
export class MailCatcher {
  /** Each message with quoted-printable soft line breaks joined, for pattern matching. */
  readonly messages: string[] = [];
  /** Each message exactly as it arrived, for parsing. */
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

  /**
   * Waits for the first message to `to` after the `after`-th one (a count taken before the action
   * that sends it) and parses it as a mail program would: MIME parts, encodings, encoded subjects.
   */
  async next(to: string, after: number, timeoutMs = 5000): Promise<CaughtMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const raw of this.raw.slice(after)) {
        const mail = await parseMail(raw);
        if (mail.to.includes(to.toLowerCase())) return mail;
      }
      if (Date.now() > deadline) throw new Error(`no email to ${to} after message ${after}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Every message to `to` so far, parsed, in the order they arrived. */
  async allTo(to: string): Promise<CaughtMail[]> {
    const mails = await Promise.all(this.raw.map(parseMail));
    return mails.filter((mail) => mail.to.includes(to.toLowerCase()));
  }

  /** Waits until at least `count` messages to `to` have arrived, and returns them all, parsed. */
  async waitFor(to: string, count = 1, timeoutMs = 5000): Promise<CaughtMail[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const mails = await this.allTo(to);
      if (mails.length >= count) return mails;
      if (Date.now() > deadline) throw new Error(`${mails.length} of ${count} emails to ${to} arrived`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export async function parseMail(raw: string): Promise<CaughtMail> {
  const email = await PostalMime.parse(raw);
  return {
    to: (email.to ?? []).map((a) => ('address' in a && a.address ? a.address.toLowerCase() : '')),
    subject: email.subject ?? '',
    text: email.text ?? '',
    html: email.html ?? '',
    headers: Object.fromEntries(email.headers.map((h) => [h.key.toLowerCase(), h.value])),
  };
}
