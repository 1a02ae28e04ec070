import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { PollController } from './poll-controller.js';
import { DEFAULT_POLL_OPTIONS, resolvePollOptions, type PollOptions } from './poll-options.js';
import { announcement, statusLine } from './status-text.js';
import { styles } from './backsoon-page.styles.js';

/**
 * The page nginx serves while the app is away. It checks the page's own URL
 * in the background and, as soon as the app answers, sends the visitor back
 * to exactly that URL.
 *
 * The heading and message are the element's children, so they are in the
 * HTML and readable without JavaScript; the element adds the countdown, the
 * button and the announcements.
 *
 * Each poll option is an attribute; see `PollOptions` for what it does and
 * its default. An invalid value is reported in the console and the
 * defaults are used.
 *
 * @fires backsoon-attempt - a check starts; `detail: { attempt, elapsed }`
 * @fires backsoon-back - the app answered; cancelable: `preventDefault()`
 *   keeps the visitor on the page. `detail: { attempt, elapsed }`
 * @fires backsoon-give-up - the limits were reached; `detail: { attempt, elapsed }`
 * @slot - the heading and message
 * @csspart card - the box around everything
 * @csspart status - the countdown line
 * @csspart button - "Try now" / "Try again"
 * @cssprop --backsoon-accent - button and spinner colour
 * @cssprop --backsoon-accent-text - text on the button
 * @cssprop --backsoon-text - main text colour
 * @cssprop --backsoon-muted - secondary text colour
 * @cssprop --backsoon-surface - the card's background
 * @cssprop --backsoon-border - the card's border
 * @cssprop --backsoon-radius - corner radius
 * @cssprop --backsoon-font - font stack
 * @cssprop --backsoon-max-width - the card's widest width
 * @cssprop --backsoon-space - the spacing unit
 */
@customElement('backsoon-page')
export class BacksoonPage extends LitElement {
  static override styles = styles;

  /** @see PollOptions.retries */
  @property({ type: Number }) retries?: number;
  /** @see PollOptions.maxRetryTime */
  @property({ type: Number, attribute: 'max-retry-time' }) maxRetryTime?: number;
  /** @see PollOptions.minTimeout */
  @property({ type: Number, attribute: 'min-timeout' }) minTimeout?: number;
  /** @see PollOptions.quickPeriod */
  @property({ type: Number, attribute: 'quick-period' }) quickPeriod?: number;
  /** @see PollOptions.factor */
  @property({ type: Number }) factor?: number;
  /** @see PollOptions.maxTimeout */
  @property({ type: Number, attribute: 'max-timeout' }) maxTimeout?: number;
  /** @see PollOptions.maxRetryAfter */
  @property({ type: Number, attribute: 'max-retry-after' }) maxRetryAfter?: number;
  /** @see PollOptions.timeout */
  @property({ type: Number }) timeout?: number;

  private readonly poll = new PollController(this, () => this.pollOptions());

  override render() {
    const snapshot = this.poll.snapshot;
    const busy = snapshot.state === 'waiting' || snapshot.state === 'checking' || snapshot.state === 'back';
    return html`
      <div class="card" part="card">
        <slot></slot>
        <p class="status" part="status">
          <span class="spinner" aria-hidden="true" ?hidden=${!busy}></span>
          <span>${statusLine(snapshot, this.poll.now())}</span>
        </p>
        <p class="visually-hidden" role="status">${announcement(snapshot)}</p>
        <button type="button" part="button" @click=${this.onTryNow} ?disabled=${snapshot.state === 'back'}>
          ${snapshot.state === 'gave-up' ? 'Try again' : 'Try now'}
        </button>
      </div>
    `;
  }

  private pollOptions(): PollOptions {
    const given = {
      retries: this.retries,
      maxRetryTime: this.maxRetryTime,
      minTimeout: this.minTimeout,
      quickPeriod: this.quickPeriod,
      factor: this.factor,
      maxTimeout: this.maxTimeout,
      maxRetryAfter: this.maxRetryAfter,
      timeout: this.timeout,
    };
    try {
      return resolvePollOptions(Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)));
    } catch (error) {
      console.error(error instanceof Error ? error.message : error, '— using the defaults');
      return DEFAULT_POLL_OPTIONS;
    }
  }

  private onTryNow(): void {
    this.poll.checkNow();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'backsoon-page': BacksoonPage;
  }
}
