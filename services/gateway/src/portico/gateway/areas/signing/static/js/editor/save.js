// Saving as one works: a change schedules a save a moment later (`delay`); one request at a
// time; a change made while one is on its way is sent after it, and only the last state is.
// `send(state)` answers a promise; timers are given so that tests drive them.

export class Saver {
  constructor({ send, onStatus = () => {}, delay = 600, timers = globalThis }) {
    this.send = send;
    this.onStatus = onStatus;
    this.delay = delay;
    this.timers = timers;
    this.pending = undefined;
    this.timer = null;
    this.inFlight = null;
  }

  get dirty() {
    return this.pending !== undefined || this.inFlight !== null;
  }

  schedule(state) {
    this.pending = state;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.flush();
    }, this.delay);
    this.onStatus("pending");
  }

  // Sends the pending state now (unless a request is on its way: it follows that one).
  flush() {
    if (this.inFlight !== null || this.pending === undefined) return this.inFlight;
    if (this.timer !== null) {
      this.timers.clearTimeout(this.timer);
      this.timer = null;
    }
    const state = this.pending;
    this.pending = undefined;
    this.onStatus("saving");
    this.inFlight = Promise.resolve()
      .then(() => this.send(state))
      .then(
        (answer) => {
          this.inFlight = null;
          if (this.pending === undefined) this.onStatus("saved", answer, state);
          else {
            this.onStatus("superseded", answer, state);
            if (this.timer === null) this.flush();
          }
        },
        (error) => {
          this.inFlight = null;
          this.onStatus("error", error, state);
          if (this.pending !== undefined && this.timer === null) this.flush();
        },
      );
    return this.inFlight;
  }
}
