/**
 * The page's icons, drawn inline: a glyph such as ⏳ depends on the fonts of the operator's machine (an empty box in
 * Debian's Chromium without an emoji font). Each is decorative (aria-hidden); the text or aria-label beside it
 * carries the meaning. They take the text's colour and size.
 */
type IconProps = { className?: string };

function Icon({ className, children, strokeWidth = 1.75 }: IconProps & { children: React.ReactNode; strokeWidth?: number }) {
  return (
    <svg
      className={className ? `icon ${className}` : "icon"}
      viewBox="0 0 16 16"
      width="1em"
      height="1em"
      fill="none"
      stroke="currentColor"
      strokeWidth={strokeWidth}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {children}
    </svg>
  );
}

export const HourglassIcon = (props: IconProps) => (
  <Icon {...props}>
    <path d="M4 1.5h8M4 14.5h8M5.5 1.5v2c0 1.6 2.5 2.9 2.5 4.5s-2.5 2.9-2.5 4.5v2M10.5 1.5v2c0 1.6-2.5 2.9-2.5 4.5s2.5 2.9 2.5 4.5v2" />
  </Icon>
);

export const SunIcon = (props: IconProps) => (
  <Icon {...props}>
    <circle cx="8" cy="8" r="3" />
    <path d="M8 1v1.5M8 13.5V15M1 8h1.5M13.5 8H15M3.05 3.05l1.06 1.06M11.89 11.89l1.06 1.06M3.05 12.95l1.06-1.06M11.89 4.11l1.06-1.06" />
  </Icon>
);

export const MoonIcon = (props: IconProps) => (
  <Icon {...props}>
    <path d="M13.5 9.6A5.8 5.8 0 1 1 6.4 2.5a4.6 4.6 0 0 0 7.1 7.1z" />
  </Icon>
);

/** A circle half filled: "system" for the theme, "in progress" for an action. */
export const HalfCircleIcon = (props: IconProps) => (
  <Icon {...props}>
    <circle cx="8" cy="8" r="6" />
    <path d="M8 2a6 6 0 0 1 0 12z" fill="currentColor" />
  </Icon>
);

export const CrossIcon = (props: IconProps) => (
  <Icon {...props} strokeWidth={2.25}>
    <path d="M4 4l8 8M12 4l-8 8" />
  </Icon>
);

export const CheckIcon = (props: IconProps) => (
  <Icon {...props} strokeWidth={2.25}>
    <path d="M3 8.5l3.2 3.2L13 4.8" />
  </Icon>
);

export const ChevronDownIcon = (props: IconProps) => (
  <Icon {...props}>
    <path d="M4 6l4 4 4-4" />
  </Icon>
);

export const ChevronRightIcon = (props: IconProps) => (
  <Icon {...props}>
    <path d="M6 4l4 4-4 4" />
  </Icon>
);

/** The "opens below" mark of a collapsed logs block. */
export const CornerDownRightIcon = (props: IconProps) => (
  <Icon {...props}>
    <path d="M4 2.5v4.5a3 3 0 0 0 3 3h6M10 7l3 3-3 3" />
  </Icon>
);

export const ArrowUpIcon = (props: IconProps) => (
  <Icon {...props}>
    <path d="M8 13V3M4 7l4-4 4 4" />
  </Icon>
);

export const ArrowDownIcon = (props: IconProps) => (
  <Icon {...props}>
    <path d="M8 3v10M4 9l4 4 4-4" />
  </Icon>
);
