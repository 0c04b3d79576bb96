/** Entry point of the notebook UI (web mode and the Electron renderer). */
export {};
