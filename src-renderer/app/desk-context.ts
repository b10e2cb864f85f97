import { createContext, useContext } from 'react';
import type { DeskClient } from '../bridge/desk-client-types';

export const DeskContext = createContext<DeskClient | null>(null);

export function useDesk(): DeskClient {
  const desk = useContext(DeskContext);
  if (!desk) throw new Error('DeskContext is missing');
  return desk;
}
