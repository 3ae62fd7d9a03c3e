import { Injectable } from '@nestjs/common';

/**
 * The time legal deadlines are computed against. Injectable so tests can run a simulated year:
 * `travel()` moves this process's clock forward without touching the system clock.
 */
@Injectable()
export class Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Moves the clock by `ms` (tests only). */
  travel(ms: number): void {
    this.offsetMs += ms;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}
