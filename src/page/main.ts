// The page's entry point: defining the element starts the poller.
import './backsoon-page.js';
