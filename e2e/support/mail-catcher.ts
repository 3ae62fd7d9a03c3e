import { SMTPServer } from 'smtp-server';

/** A real SMTP server that keeps every message, for sign-in emails in tests. */
export class MailCatcher {
  readonly messages: string[] = [];
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

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
