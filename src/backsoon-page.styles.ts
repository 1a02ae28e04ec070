import { css } from 'lit';

/**
 * Public tokens (`--backsoon-*`) are read once, on :host, into private ones
 * (`--_*`) used everywhere below, so each default lives in one place.
 */
export const styles = css`
  :host {
    --_accent: var(--backsoon-accent, #2458d6);
    --_accent-text: var(--backsoon-accent-text, #ffffff);
    --_text: var(--backsoon-text, #1d2330);
    --_muted: var(--backsoon-muted, #566072);
    --_surface: var(--backsoon-surface, #ffffff);
    --_border: var(--backsoon-border, #dfe3ea);
    --_radius: var(--backsoon-radius, 14px);
    --_font: var(--backsoon-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    --_max-width: var(--backsoon-max-width, 32rem);
    --_space: var(--backsoon-space, 1rem);

    display: block;
    box-sizing: border-box;
    width: 100%;
    max-width: var(--_max-width);
    margin: 0 auto;
    font-family: var(--_font);
    color: var(--_text);
  }

  @media (prefers-color-scheme: dark) {
    :host {
      --_accent: var(--backsoon-accent-dark, #8fb0ff);
      --_accent-text: var(--backsoon-accent-text-dark, #0d1526);
      --_text: var(--backsoon-text-dark, #e8ebf1);
      --_muted: var(--backsoon-muted-dark, #a9b1c0);
      --_surface: var(--backsoon-surface-dark, #1a1f29);
      --_border: var(--backsoon-border-dark, #2f3746);
    }
  }

  .card {
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: calc(var(--_space) * 2);
    box-shadow: 0 10px 30px rgb(0 0 0 / 0.06);
  }

  ::slotted(h1) {
    margin: 0 0 calc(var(--_space) * 0.5);
    font-size: 1.6rem;
    line-height: 1.2;
  }

  ::slotted(p) {
    margin: 0 0 var(--_space);
    line-height: 1.5;
    color: var(--_muted);
  }

  .status {
    display: flex;
    align-items: center;
    gap: 0.6em;
    margin: 0 0 calc(var(--_space) * 1.25);
    font-variant-numeric: tabular-nums;
    text-wrap: balance;
    color: var(--_muted);
  }

  .spinner {
    flex: none;
    width: 0.9em;
    height: 0.9em;
    border-radius: 50%;
    border: 2px solid var(--_border);
    border-top-color: var(--_accent);
    animation: spin 0.9s linear infinite;
  }

  .spinner[hidden] {
    display: none;
  }

  @keyframes spin {
    to {
      transform: rotate(1turn);
    }
  }

  @media (prefers-reduced-motion: reduce) {
    .spinner {
      animation: none;
    }
  }

  button {
    font: inherit;
    font-weight: 600;
    padding: 0.6em 1.3em;
    border: 0;
    border-radius: calc(var(--_radius) * 0.6);
    background: var(--_accent);
    color: var(--_accent-text);
    cursor: pointer;
  }

  button:focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 3px;
  }

  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
`;
