/** The dashboard page's entry: its styles, then sign-in and the dashboard (app.ts). */
import './styles.css';
import { boot } from './app.js';

const root = document.getElementById('app');
if (root !== null) void boot(root);
