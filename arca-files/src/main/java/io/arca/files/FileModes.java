package io.arca.files;

/** Permission bits as {@code ls -l} writes them. */
final class FileModes {
    private FileModes() {
    }

    /** {@code rwsr-x--T}: owner, group, others, with setuid, setgid and sticky in the execute places. */
    static String symbolic(int mode) {
        StringBuilder b = new StringBuilder(9);
        triple(b, mode >> 6, (mode & 04000) != 0, 's');
        triple(b, mode >> 3, (mode & 02000) != 0, 's');
        triple(b, mode, (mode & 01000) != 0, 't');
        return b.toString();
    }

    private static void triple(StringBuilder b, int bits, boolean special, char mark) {
        b.append((bits & 4) != 0 ? 'r' : '-');
        b.append((bits & 2) != 0 ? 'w' : '-');
        boolean x = (bits & 1) != 0;
        b.append(special ? (x ? mark : Character.toUpperCase(mark)) : (x ? 'x' : '-'));
    }
}
