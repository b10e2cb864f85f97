import { useCallback, useEffect, useState } from 'react';

export interface AudioDeviceOption {
  deviceId: string;
  /** Empty until the page may use the microphone (browsers hide names before that). */
  label: string;
}

export interface AudioDeviceList {
  inputs: AudioDeviceOption[];
  outputs: AudioDeviceOption[];
  /** `enumerateDevices` exists here. */
  supported: boolean;
  /** Some devices came without a name: access to the microphone has not been granted yet. */
  unnamed: boolean;
  /** Listing failed, or asking for access was refused. */
  failed: boolean;
}

const EMPTY: AudioDeviceList = { inputs: [], outputs: [], supported: false, unnamed: false, failed: false };

function mediaDevices(): MediaDevices | null {
  return typeof navigator !== 'undefined' && navigator.mediaDevices && typeof navigator.mediaDevices.enumerateDevices === 'function' ? navigator.mediaDevices : null;
}

async function list(): Promise<AudioDeviceList> {
  const media = mediaDevices();
  if (!media) return EMPTY;
  const devices = await media.enumerateDevices();
  // "default" and "communications" are Chromium's aliases of real devices; '' is our default.
  const real = devices.filter((device) => device.deviceId !== '' && device.deviceId !== 'default' && device.deviceId !== 'communications');
  const pick = (kind: MediaDeviceKind) => real.filter((device) => device.kind === kind).map((device) => ({ deviceId: device.deviceId, label: device.label }));
  const inputs = pick('audioinput');
  const outputs = pick('audiooutput');
  return { inputs, outputs, supported: true, unnamed: [...inputs, ...outputs].some((device) => device.label === ''), failed: false };
}

/**
 * The workstation's microphones and speakers (`enumerateDevices`), kept current when a headset
 * is plugged in or out (`devicechange`). `askForNames` asks for the microphone once so the list
 * shows names instead of "Microphone 1".
 */
export function useAudioDevices(): { devices: AudioDeviceList; askForNames: () => void } {
  // Until the first listing arrives: nothing listed yet, but not "unsupported" either.
  const [devices, setDevices] = useState<AudioDeviceList>(() => ({ ...EMPTY, supported: mediaDevices() !== null }));

  const refresh = useCallback(() => {
    list().then(setDevices, () => setDevices({ ...EMPTY, supported: mediaDevices() !== null, failed: true }));
  }, []);

  useEffect(() => {
    refresh();
    const media = mediaDevices();
    if (!media || typeof media.addEventListener !== 'function') return;
    media.addEventListener('devicechange', refresh);
    return () => media.removeEventListener('devicechange', refresh);
  }, [refresh]);

  const askForNames = useCallback(() => {
    const media = mediaDevices();
    if (!media || typeof media.getUserMedia !== 'function') return;
    media
      .getUserMedia({ audio: true })
      .then((stream) => {
        for (const track of stream.getTracks()) track.stop();
        refresh();
      })
      .catch(() => setDevices((current) => ({ ...current, failed: true })));
  }, [refresh]);

  return { devices, askForNames };
}
