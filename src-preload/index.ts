import { contextBridge, ipcRenderer } from 'electron';
import { createDeskApi } from './expose';

// The page gets `window.desk` and nothing else: no ipcRenderer, no generic send. Everything
// the renderer may ask for is in the contract; createDeskApi refuses the rest.
contextBridge.exposeInMainWorld('desk', createDeskApi(ipcRenderer));
