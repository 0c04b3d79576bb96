/** Entry point of the notebook UI (web mode and the Electron renderer). */
import { runSmoke } from './smoke.ts';

// Until the notebook UI lands: the engine smoke page (renderer/smoke.ts).
void runSmoke(document.getElementById('app')!);
