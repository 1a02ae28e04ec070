import { LitElement, html, nothing, type PropertyDeclarations } from 'lit';
import { available, defaultLocale, defaultMessages } from 'virtual:backsoon-locales';
import {
  announcement,
  bodyText,
  formNotice,
  heading,
  maintenanceLine,
  statusLine,
  type PageLanguage,
} from './wording.js';
import { loadMessages } from '../i18n/locale-loader.js';
import { formState, type FormState } from '../decide/lost-form.js';
import { pickLocale } from '../i18n/locale.js';
import { messageFor } from '../decide/maintenance-info.js';
import { PollController, type PollEventDetail } from '../poll/poll-controller.js';
import { isScheduled } from '../poll/poller.js';
import {
  DEFAULT_POLL_OPTIONS,
  POLL_OPTION_NAMES,
  POLL_OPTIONS,
  attributeName,
  resolvePollOptions,
  type PollOptions,
} from '../decide/poll-options.js';
import { reloadAsGet } from '../poll/navigate.js';
import type { PageVariant } from '../protocol.js';
import { styles } from './backsoon-page.styles.js';

/**
 * The poll options' properties, one per option of `POLL_OPTIONS`, declared
 * by `static properties`: a Number attribute each, named by `attributeName`.
 * Lit's Number converter makes a removed attribute `null`.
 */
type PollOptionProperties = { [K in keyof typeof POLL_OPTIONS]?: number | null };

const pollOptionProperties: PropertyDeclarations = Object.fromEntries(
  POLL_OPTION_NAMES.map((name) => [name, { type: Number, attribute: attributeName(name) }]),
);

/**
 * The element's reactive properties: the three below, then one per poll
 * option. Declared here rather than with Lit's decorators, whose helpers
 * (the TypeScript `__decorate` shim and `lit/decorators.js`) cost about
 * 0.7 KB gzip on every error response for what this table says.
 */
const properties: PropertyDeclarations = {
  kind: {},
  requestMethod: { attribute: 'request-method' },
  formSent: { attribute: 'form-sent' },
  ...pollOptionProperties,
};

// Declares the properties that `static properties` creates: merging an
// interface into the class is how TypeScript learns of them without a
// hand-written field per option.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface BacksoonPage extends PollOptionProperties {}

/**
 * The page nginx serves while the app is away. It asks the server's shared
 * probe (or, on a server without one, the page's own URL) in the background
 * whether the app answers and, once it does and the server gives it a turn,
 * sends the visitor back to exactly the URL they asked for.
 *
 * Its children are the no-JavaScript text; once defined, the element shows
 * its own, in the visitor's language (chosen from `navigator.languages`
 * among the languages of the build; see src/i18n/locale-loader.ts).
 *
 * Each poll option (src/decide/poll-options.ts) is a property, and an attribute of
 * its kebab-case name (`maxRetryAfter`, `max-retry-after`). An option not
 * given, or whose attribute is removed, takes its default; an invalid value
 * is reported in the console and the defaults are used. A change after the
 * element connected takes effect from the next check or wait (a wait
 * already planned runs its course; after giving up, "Try again" starts
 * over).
 *
 * @fires backsoon-attempt - a check starts; `detail: { attempt, elapsed }`
 * @fires backsoon-back - the app answered; cancelable: `preventDefault()`
 *   keeps the visitor on the page. `detail: { attempt, elapsed }`
 * @fires backsoon-give-up - the limits were reached; `detail: { attempt, elapsed }`
 * @csspart card - the box around everything
 * @csspart logo - the logo (a background image)
 * @csspart operator-message - the message from maintenance.json
 * @csspart notice - what became of the visitor's form (not sent, or may have been received)
 * @csspart status - the countdown line
 * @csspart button - every button; the main one also has part `primary`
 * @cssprop --backsoon-accent - button and spinner colour (also `-dark`)
 * @cssprop --backsoon-accent-text - text on the button (also `-dark`)
 * @cssprop --backsoon-text - main text colour (also `-dark`)
 * @cssprop --backsoon-muted - secondary text colour (also `-dark`)
 * @cssprop --backsoon-surface - the card's background (also `-dark`)
 * @cssprop --backsoon-border - the card's border (also `-dark`)
 * @cssprop --backsoon-spinner - the spinner's track (also `-dark`)
 * @cssprop --backsoon-radius - corner radius
 * @cssprop --backsoon-font - font stack
 * @cssprop --backsoon-max-width - the card's widest width
 * @cssprop --backsoon-space - the spacing unit
 * @cssprop --backsoon-logo - the logo, as `url(…)`
 * @cssprop --backsoon-logo-height - the logo's height (0 hides it)
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class BacksoonPage extends LitElement {
  static override styles = styles;
  static override properties = properties;

  /**
   * The page's variant: `crash` (502/504) or `maintenance` (503), written
   * by the build in each page (its attribute, `kind`, is public).
   */
  kind: PageVariant = 'crash';
  /** The method of the request nginx could not pass on; set by nginx on form submissions. */
  requestMethod = 'GET';
  /**
   * Whether a form may have reached the app, set by nginx with
   * `request-method`: "no" (nothing reached it: safe to send again) or
   * "maybe" (the app stopped answering after nginx passed the form on).
   * Anything else counts as "maybe" (see `formState`).
   */
  formSent?: string;

  /** The options `pollOptions()` resolved last, and the properties they came from. */
  #resolvedOptions: { given: Partial<PollOptions>; options: PollOptions } | undefined;
  #language: PageLanguage = { locale: defaultLocale, messages: defaultMessages, visitor: navigator.language };
  /** Settles once the visitor's language is known; the first render waits for it. */
  readonly #languageReady: Promise<void> = this.#chooseLanguage();
  readonly #poll = new PollController(this, () => ({
    options: this.#pollOptions(),
    variant: this.kind === 'maintenance' ? 'maintenance' : 'crash',
    unsent: this.#form !== 'none',
  }));

  protected override async scheduleUpdate(): Promise<void> {
    await this.#languageReady;
    await super.scheduleUpdate();
  }

  override render() {
    const snapshot = this.#poll.snapshot;
    const now = this.#poll.now();
    const variant = this.#shownVariant;
    const form = this.#form;
    const back = snapshot.state === 'back';
    const until = variant === 'maintenance' && !back ? this.#poll.info.until : undefined;
    const operatorMessage =
      variant === 'maintenance' && !back ? messageFor(this.#poll.info, this.#language.locale) : undefined;
    const body = bodyText(snapshot.state, variant, form, this.#language);
    const notice = formNotice(snapshot.state, form, this.#language);
    const status = statusLine(snapshot, now, this.#language, form);
    const spinning = isScheduled(snapshot.state) || snapshot.state === 'checking' || (back && form === 'none');
    return html`
      <div class="card" part="card" lang=${this.#language.locale}>
        <div class="logo" part="logo"></div>
        <h1>${heading(snapshot.state, variant, this.#language)}</h1>
        ${body === undefined ? nothing : html`<p class="message">${body}</p>`}
        ${until === undefined ? nothing : html`<p class="schedule">${maintenanceLine(until, now, this.#language)}</p>`}
        ${operatorMessage === undefined ? nothing : html`<p class="operator" part="operator-message">${operatorMessage}</p>`}
        ${notice === undefined ? nothing : html`<p class="notice" part="notice">${notice}</p>`}
        ${
          status === undefined
            ? nothing
            : html`<p class="status" part="status">
                <span class="spinner" aria-hidden="true" ?hidden=${!spinning}></span>
                <span>${status}</span>
              </p>`
        }
        <p class="visually-hidden" role="status">${announcement(snapshot, this.#language, form)}</p>
        <div class="actions">${this.#renderActions()}</div>
      </div>
    `;
  }

  override updated(): void {
    document.documentElement.lang = this.#language.locale;
    document.title = heading(this.#poll.snapshot.state, this.#shownVariant, this.#language);
  }

  /**
   * The buttons for the current state. The main button is one element whose
   * label and action change (so keyboard focus stays on it when "Try now"
   * turns into "Try again"); the secondary one comes and goes.
   */
  #renderActions() {
    const m = this.#language.messages;
    const state = this.#poll.snapshot.state;
    if (state === 'back' && this.#form === 'none') return nothing;
    const [label, action, secondary] =
      state === 'back'
        ? [
            m.backToForm,
            this.#onBackToForm,
            html`<button type="button" part="button" class="secondary" @click=${this.#onReload}>
              ${m.reloadPage}
            </button>`,
          ]
        : state === 'gave-up'
          ? [m.tryAgain, this.#onCheckNow, nothing]
          : state === 'stopped'
            ? [m.resume, this.#onCheckNow, nothing]
            : [
                m.tryNow,
                this.#onCheckNow,
                html`<button type="button" part="button" class="secondary" @click=${this.#onStop}>${m.stop}</button>`,
              ];
    return html`<button type="button" part="button primary" @click=${action}>${label}</button>${secondary}`;
  }

  /**
   * The variant whose words the page shows: the one the last check found
   * the app away for (a crash can turn into maintenance and back), else the
   * one it was served as.
   */
  get #shownVariant(): PageVariant {
    const reason = this.#poll.snapshot.awayReason;
    const variant = reason === 'crash' || reason === 'maintenance' ? reason : this.kind;
    return variant === 'maintenance' ? 'maintenance' : 'crash';
  }

  /** What became of the request that met the outage, from nginx's marks. */
  get #form(): FormState {
    return formState(this.requestMethod, this.formSent);
  }

  /** Picks the visitor's language among the shipped ones and loads its strings if they are not the default's. */
  async #chooseLanguage(): Promise<void> {
    const locale = pickLocale(navigator.languages ?? [navigator.language], available, defaultLocale);
    if (locale === defaultLocale) return;
    const messages = await loadMessages(locale, defaultMessages);
    if (messages) this.#language = { ...this.#language, locale, messages };
  }

  /**
   * The poll options from the current properties; the controller asks before
   * each check and each wait. Resolved again only when a property changed,
   * so an invalid value is reported once.
   */
  #pollOptions(): PollOptions {
    const given: Partial<PollOptions> = {};
    for (const name of POLL_OPTION_NAMES) {
      const value = this[name];
      if (value !== undefined && value !== null) given[name] = value;
    }
    const last = this.#resolvedOptions;
    if (last && POLL_OPTION_NAMES.every((name) => Object.is(last.given[name], given[name]))) return last.options;
    let options: PollOptions;
    try {
      options = resolvePollOptions(given);
    } catch (error) {
      console.error(error instanceof Error ? error.message : error, '— using the defaults');
      options = DEFAULT_POLL_OPTIONS;
    }
    this.#resolvedOptions = { given, options };
    return options;
  }

  #onCheckNow(): void {
    this.#poll.checkNow();
  }

  /** The stop button goes away with the checks: the focus moves to "Resume checking". */
  async #onStop(): Promise<void> {
    this.#poll.stopChecking();
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('button')?.focus();
  }

  #onBackToForm(): void {
    history.back();
  }

  #onReload(): void {
    reloadAsGet(location);
  }
}

customElements.define('backsoon-page', BacksoonPage);

declare global {
  interface HTMLElementTagNameMap {
    'backsoon-page': BacksoonPage;
  }
  /** The element's events (bubbling and composed; see docs/how-the-page-decides.md, "Events"). */
  interface HTMLElementEventMap {
    /** Before each check. */
    'backsoon-attempt': CustomEvent<PollEventDetail>;
    /** The app answered; cancelable: `preventDefault()` keeps the visitor on the page. */
    'backsoon-back': CustomEvent<PollEventDetail>;
    /** The page stopped checking by itself (it gave up). */
    'backsoon-give-up': CustomEvent<PollEventDetail>;
  }
}
