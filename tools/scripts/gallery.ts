/** `npm run gallery`: renders every card template (with its example data) and the `status` card to `docs/cards/<name>.png` for the README. */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { galleryCards } from '../preview/gallery.js';
import { closePreviewBrowser, renderCardPng } from '../preview/index.js';

/** Where the pictures go, from the app folder. */
const GALLERY_FOLDER = join('docs', 'cards');

/** A picture larger than this weighs on the repository; the script says so. */
const MAX_PICTURE_BYTES = 100 * 1024;

const BYTES_PER_KB = 1024;

/** One picture written. */
interface GalleryPicture {
    readonly name: string;
    readonly path: string;
    readonly width: number;
    readonly height: number;
    readonly bytes: number;
    readonly errors: readonly string[];
}

/**
 * Renders every gallery card to `<root>/docs/cards/<name>.png`, replacing what is there.
 *
 * @example
 * const pictures = await writeGallery(process.cwd());
 */
async function writeGallery(root: string): Promise<GalleryPicture[]> {
    const folder = join(root, GALLERY_FOLDER);
    await mkdir(folder, { recursive: true });
    const pictures: GalleryPicture[] = [];
    try {
        for (const { name, card } of await galleryCards()) {
            const preview = await renderCardPng(card);
            const path = join(folder, `${name}.png`);
            await writeFile(path, preview.png);
            pictures.push({ name, path, width: preview.width, height: preview.height, bytes: preview.png.length, errors: preview.errors });
        }
    } finally {
        await closePreviewBrowser();
    }
    return pictures;
}

/** The app folder: the nearest ancestor of this module holding host.json (dist/tools/scripts/ when built, tools/scripts/ from source). */
function findAppRoot(start: string): string {
    let folder = start;
    while (!existsSync(join(folder, 'host.json'))) {
        const parent = dirname(folder);
        if (parent === folder) {
            throw new Error(`no host.json above ${start}`);
        }
        folder = parent;
    }
    return folder;
}

const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly) {
    const root = findAppRoot(dirname(fileURLToPath(import.meta.url)));
    const pictures = await writeGallery(root);
    let failed = false;
    for (const picture of pictures) {
        const size = `${picture.width}×${picture.height} px, ${(picture.bytes / BYTES_PER_KB).toFixed(1)} KB`;
        console.log(`${relative(root, picture.path)}: ${size}`);
        if (picture.bytes > MAX_PICTURE_BYTES) {
            console.warn(`  larger than ${MAX_PICTURE_BYTES / BYTES_PER_KB} KB: simplify the example data`);
        }
        for (const error of picture.errors) {
            console.error(`  renderer: ${error}`);
            failed = true;
        }
    }
    process.exitCode = failed ? 1 : 0;
}
