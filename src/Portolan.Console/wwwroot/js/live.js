// Live updates: the server's event stream says when the registry's revision moves; the page then re-reads what it
// shows through the AWS APIs. Refreshes never overlap: a change during a refresh queues exactly one more.

export class LiveUpdates {
  /** @param {import('./aws.js').AwsClient} aws @param {(state: string, revision?: number) => void} onState */
  constructor(aws, onState) {
    this.aws = aws;
    this.onState = onState;
    this.revision = undefined;
    this.refresh = null;
    this.running = false;
    this.pending = false;
  }

  /** The current page's refresh function. */
  follow(refresh) {
    this.refresh = refresh;
  }

  async start() {
    this.source?.close();
    const url = await this.aws.eventsUrl();
    const source = new EventSource(url);
    this.source = source;
    source.addEventListener('open', () => this.onState('live', this.revision));
    source.addEventListener('revision', (event) => {
      // Every event refreshes, the first too: a change between the page's first load and the stream's start
      // would otherwise go unseen.
      const revision = JSON.parse(event.data).revision;
      this.revision = revision;
      this.onState('live', revision);
      this.#refresh();
    });
    source.addEventListener('error', () => {
      this.onState('reconnecting', this.revision);
      // A presigned URL expires; on a closed stream sign a fresh one (an open-but-erroring one retries by itself).
      if (source.readyState === EventSource.CLOSED) setTimeout(() => this.start(), 2000);
    });
  }

  /** Refreshes the current page now (coalesced with event-driven refreshes). */
  refreshNow() {
    return this.#refresh();
  }

  async #refresh() {
    if (!this.refresh) return;
    if (this.running) {
      this.pending = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.pending = false;
        await this.refresh();
      } while (this.pending);
    } finally {
      this.running = false;
    }
  }
}
