// /__backsoon/register.js: one <script> tag in the app's pages registers the
// worker:  <script src="/__backsoon/register.js" defer></script>
import { registerBacksoon } from './registration.js';

registerBacksoon();
