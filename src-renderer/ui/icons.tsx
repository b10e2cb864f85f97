import type { ReactElement, SVGProps } from 'react';

/** Simple 20×20 line icons drawn inline (no icon font, no external files). */
function Icon({ children, ...props }: SVGProps<SVGSVGElement>): ReactElement {
  return (
    <svg
      viewBox="0 0 20 20"
      width="18"
      height="18"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.6"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      {...props}
    >
      {children}
    </svg>
  );
}

export function PhoneIcon(props: SVGProps<SVGSVGElement>): ReactElement {
  return (
    <Icon {...props}>
      <path d="M5.2 2.8h2.4l1.3 3.4-1.7 1.1a9 9 0 0 0 5.5 5.5l1.1-1.7 3.4 1.3v2.4a1.6 1.6 0 0 1-1.7 1.6A14 14 0 0 1 3.6 4.5a1.6 1.6 0 0 1 1.6-1.7z" />
    </Icon>
  );
}

export function PatientsIcon(props: SVGProps<SVGSVGElement>): ReactElement {
  return (
    <Icon {...props}>
      <circle cx="8" cy="6.5" r="3" />
      <path d="M2.5 16.5c.6-3 2.8-4.6 5.5-4.6s4.9 1.6 5.5 4.6" />
      <circle cx="14.5" cy="12.5" r="2.3" />
      <path d="M16.2 14.2l1.8 1.8" />
    </Icon>
  );
}

export function QueueIcon(props: SVGProps<SVGSVGElement>): ReactElement {
  return (
    <Icon {...props}>
      <path d="M3 5h14M3 10h14M3 15h9" />
      <circle cx="15.5" cy="15" r="1" fill="currentColor" stroke="none" />
    </Icon>
  );
}

export function CallbacksIcon(props: SVGProps<SVGSVGElement>): ReactElement {
  return (
    <Icon {...props}>
      <path d="M16 10a6 6 0 1 1-1.8-4.3" />
      <path d="M16.5 2.8v3.6h-3.6" />
      <path d="M10 6.8V10l2.2 1.6" />
    </Icon>
  );
}

export function SupervisorIcon(props: SVGProps<SVGSVGElement>): ReactElement {
  return (
    <Icon {...props}>
      <path d="M3 16.5h14" />
      <path d="M5 14V10M9 14V6M13 14V8.5M17 14V4" />
    </Icon>
  );
}

export function SettingsIcon(props: SVGProps<SVGSVGElement>): ReactElement {
  return (
    <Icon {...props}>
      <circle cx="10" cy="10" r="2.6" />
      <path d="M10 2.5v2M10 15.5v2M2.5 10h2M15.5 10h2M4.7 4.7l1.4 1.4M13.9 13.9l1.4 1.4M4.7 15.3l1.4-1.4M13.9 6.1l1.4-1.4" />
    </Icon>
  );
}

export function PlugOffIcon(props: SVGProps<SVGSVGElement>): ReactElement {
  return (
    <Icon {...props}>
      <path d="M7 3v4M13 3v4M5 7h10v3a5 5 0 0 1-10 0z" />
      <path d="M10 15v2.5" />
      <path d="M3 3l14 14" />
    </Icon>
  );
}

export function WarningIcon(props: SVGProps<SVGSVGElement>): ReactElement {
  return (
    <Icon {...props}>
      <path d="M10 3l7.5 13.5h-15z" />
      <path d="M10 8.5v3.5M10 14.3v.1" />
    </Icon>
  );
}
