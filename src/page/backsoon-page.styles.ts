import { unsafeCSS } from 'lit';
// `?inline`: Vite hands over the CSS as a string, minified in the build.
// The file is ours and static, so unsafeCSS is safe here.
import cssText from './backsoon-page.css?inline';

export const styles = unsafeCSS(cssText);
