/** The host config previews render with: Microsoft Teams' light theme, as the Adaptive Cards designer renders it. */

/**
 * Text colours of every container style in Teams' light theme. Colours with 8 hex digits are
 * `#AARRGGBB`, as host configs write them.
 */
const TEAMS_LIGHT_FOREGROUND_COLORS = {
    default: { default: '#ff252424', subtle: '#bf252424' },
    dark: { default: '#252424', subtle: '#bf252424' },
    light: { default: '#ffffff', subtle: '#fff3f2f1' },
    accent: { default: '#6264a7', subtle: '#8b8cc7' },
    good: { default: '#92c353', subtle: '#e592c353' },
    warning: { default: '#f8d22a', subtle: '#e5f8d22a' },
    attention: { default: '#c4314b', subtle: '#e5c4314b' },
} as const;

/** The font sizes and weights Teams uses for both font types. */
const TEAMS_FONT_SIZES = { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 } as const;
const TEAMS_FONT_WEIGHTS = { lighter: 200, default: 400, bolder: 600 } as const;

/** A container style: its background, its border and the text colours on it. */
function containerStyle(backgroundColor: string, borderColor: string) {
    return { backgroundColor, borderColor, foregroundColors: TEAMS_LIGHT_FOREGROUND_COLORS } as const;
}

/**
 * Microsoft Teams' light-theme host config, transcribed from the one the Adaptive Cards designer
 * uses for its "Microsoft Teams - Light" host app: `samples/HostConfig/microsoft-teams-light.json`
 * in github.com/microsoft/AdaptiveCards (MIT; the version at commit d9a6201, with `fontTypes`,
 * `textStyles` and border colours). Teams' font is Segoe UI; where it is missing the stack falls
 * back like Teams' own CSS does. The published file spells the fact sets' `wrap` as `warp`; here it is `wrap`.
 */
export const TEAMS_LIGHT_HOST_CONFIG = {
    choiceSetInputValueSeparator: ',',
    supportsInteractivity: true,
    spacing: { small: 8, default: 12, medium: 16, large: 20, extraLarge: 24, padding: 16 },
    separator: { lineThickness: 1, lineColor: '#EEEEEE' },
    imageSizes: { small: 32, medium: 52, large: 100 },
    fontTypes: {
        default: { fontFamily: "'Segoe UI', Tahoma, Geneva, Verdana, sans-serif", fontSizes: TEAMS_FONT_SIZES, fontWeights: TEAMS_FONT_WEIGHTS },
        monospace: { fontFamily: "'Courier New', Courier, monospace", fontSizes: TEAMS_FONT_SIZES, fontWeights: TEAMS_FONT_WEIGHTS },
    },
    textStyles: { heading: { fontType: 'default', size: 'large', weight: 'bolder', color: 'default', isSubtle: false } },
    textBlock: { headingLevel: 2 },
    containerStyles: {
        default: containerStyle('#ffffff', '#CCCCCC'),
        emphasis: containerStyle('#fff9f8f7', '#666666'),
        accent: containerStyle('#C7DEF9', '#62A8F7'),
        good: containerStyle('#CCFFCC', '#69E569'),
        attention: containerStyle('#FFC5B2', '#FF764C'),
        warning: containerStyle('#FFE2B2', '#FFBC51'),
    },
    actions: {
        maxActions: 6,
        spacing: 'Default',
        buttonSpacing: 8,
        showCard: { actionMode: 'Inline', inlineTopMargin: 16, style: 'emphasis' },
        preExpandSingleShowCardAction: false,
        actionsOrientation: 'Horizontal',
        actionAlignment: 'Left',
    },
    adaptiveCard: { allowCustomStyle: false },
    imageSet: { imageSize: 'Medium', maxImageHeight: 100 },
    factSet: {
        title: { size: 'Default', color: 'Default', isSubtle: false, weight: 'Bolder', wrap: true },
        value: { size: 'Default', color: 'Default', isSubtle: false, weight: 'Default', wrap: true },
        spacing: 16,
    },
} as const;

/**
 * The page's own styles around the renderer's output: a Teams-like card frame (white, a light
 * border, rounded corners), Teams' buttons (white, grey border, semibold text) and mentions,
 * which the renderer leaves to the host's CSS.
 */
export const TEAMS_LIGHT_PAGE_CSS = `
html, body { margin: 0; padding: 0; background: #ffffff; }
#card { box-sizing: border-box; background: #ffffff; border: 1px solid #e1dfdd; border-radius: 4px; overflow: hidden; }
.ac-pushButton { font-family: 'Segoe UI', Tahoma, Geneva, Verdana, sans-serif; font-size: 14px; font-weight: 600;
  padding: 5px 12px; min-height: 32px; background: #ffffff; color: #252424; border: 1px solid #e1dfdd; border-radius: 4px;
  overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.ac-textBlock strong { font-weight: 600; }
.teams-mention { color: #6264a7; font-weight: 600; }
a.ac-anchor, a.ac-anchor:link, a.ac-anchor:visited { color: #6264a7; text-decoration: none; }
`;
