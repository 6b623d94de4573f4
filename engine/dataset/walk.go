package dataset

import (
	"cmp"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// maxDepth bounds how deep the walk goes, so that a file system which
// presents a link loop as plain folders still ends.
const maxDepth = 64

// imageExtensions are the file name endings the loader tries to decode.
// The format itself is told by the file's content, not its name.
var imageExtensions = []string{
	".png", ".jpg", ".jpeg", ".jpe", ".jfif", ".gif", ".bmp", ".tif", ".tiff", ".webp",
}

// isImageName reports whether name ends in an image extension, in any case.
func isImageName(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	return slices.Contains(imageExtensions, ext)
}

// tree is the file system a walk reads: the OS (any file name the OS allows)
// or an fs.FS (names fs.ValidPath allows).
type tree interface {
	readDir(dir string) ([]fs.DirEntry, error)
	stat(name string) (fs.FileInfo, error) // follows links
	open(name string) (fs.File, error)
	join(dir, name string) string
}

type osTree struct{}

func (osTree) readDir(dir string) ([]fs.DirEntry, error) { return os.ReadDir(dir) }
func (osTree) stat(name string) (fs.FileInfo, error)     { return os.Stat(name) }
func (osTree) open(name string) (fs.File, error)         { return os.Open(name) }
func (osTree) join(dir, name string) string              { return filepath.Join(dir, name) }

type fsTree struct{ fsys fs.FS }

func (t fsTree) readDir(dir string) ([]fs.DirEntry, error) { return fs.ReadDir(t.fsys, dir) }
func (t fsTree) stat(name string) (fs.FileInfo, error)     { return fs.Stat(t.fsys, name) }
func (t fsTree) open(name string) (fs.File, error)         { return t.fsys.Open(name) }
func (t fsTree) join(dir, name string) string              { return path.Join(dir, name) }

// imageFile is a file to decode and the class it belongs to: the name of its
// first-level folder under the root, or "" when it lies in the root itself.
type imageFile struct {
	path  string
	class string
}

// folder is a folder still to walk.
type folder struct {
	path  string
	class string
	depth int
}

// walker collects the image files under a root.
type walker struct {
	ctx     context.Context
	tree    tree
	visited []fs.FileInfo // folders walked so far, compared with os.SameFile
	linked  []folder      // folders reached through a link, walked last
	files   []imageFile
	skipped []SkippedFile
}

// walk returns the image files under root sorted by path, and the folders and
// files it could not use. It follows links to files and to folders, but walks
// a folder only once, so link loops end; real folders are walked before linked
// ones, so a file is reported under its real path when it has one.
func walk(ctx context.Context, t tree, root string, rootInfo fs.FileInfo) (
	[]imageFile, []SkippedFile, error) {

	w := &walker{ctx: ctx, tree: t, visited: []fs.FileInfo{rootInfo}}
	if err := w.walkFolder(folder{path: root}); err != nil {
		return nil, nil, err
	}
	for len(w.linked) > 0 {
		next := w.linked[0]
		w.linked = w.linked[1:]

		info, err := t.stat(next.path)
		if err != nil || w.seen(info) {
			continue
		}
		w.visited = append(w.visited, info)
		if err := w.walkFolder(next); err != nil {
			return nil, nil, err
		}
	}

	slices.SortFunc(w.files, func(a, b imageFile) int { return cmp.Compare(a.path, b.path) })
	return w.files, w.skipped, nil
}

// walkFolder adds the images in dir and walks its real subfolders; it queues
// linked subfolders in w.linked.
func (w *walker) walkFolder(dir folder) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	entries, err := w.tree.readDir(dir.path)
	if err != nil {
		// os.ReadDir returns what it read before the error; use that too.
		w.skip(dir.path, "cannot read the folder: "+plainError(err))
	}

	for _, entry := range entries {
		name := entry.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		p := w.tree.join(dir.path, name)
		sub := folder{path: p, class: dir.class, depth: dir.depth + 1}
		if dir.depth == 0 {
			sub.class = name
		}

		kind := entry.Type()
		if kind&fs.ModeSymlink != 0 {
			info, err := w.tree.stat(p)
			if err != nil {
				if isImageName(name) {
					w.skip(p, "the link leads nowhere: "+plainError(err))
				}
				continue
			}
			if info.IsDir() {
				if sub.depth < maxDepth {
					w.linked = append(w.linked, sub)
				}
				continue
			}
			kind = info.Mode().Type()
		}

		switch {
		case kind.IsDir():
			if err := w.walkSubfolder(entry, sub); err != nil {
				return err
			}
		case !isImageName(name):
			// Not an image by name: ignored without comment.
		case !kind.IsRegular():
			w.skip(p, "not a regular file")
		default:
			w.files = append(w.files, imageFile{path: p, class: dir.class})
		}
	}
	return nil
}

// walkSubfolder walks a real folder met during the walk unless it was seen.
func (w *walker) walkSubfolder(entry fs.DirEntry, sub folder) error {
	if sub.depth >= maxDepth {
		w.skip(sub.path, "folder nested too deeply")
		return nil
	}
	info, err := entry.Info()
	if err != nil {
		w.skip(sub.path, "cannot read the folder: "+plainError(err))
		return nil
	}
	if w.seen(info) {
		return nil
	}
	w.visited = append(w.visited, info)
	return w.walkFolder(sub)
}

// seen reports whether info is a folder already walked. File systems whose
// FileInfo os.SameFile cannot compare (embed.FS) have no links to loop.
func (w *walker) seen(info fs.FileInfo) bool {
	for _, v := range w.visited {
		if os.SameFile(v, info) {
			return true
		}
	}
	return false
}

func (w *walker) skip(p, reason string) {
	w.skipped = append(w.skipped, SkippedFile{Path: p, Reason: reason})
}

// readFile reads a whole file of at most limit bytes.
func readFile(t tree, name string, limit int64) ([]byte, error) {
	f, err := t.open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()

	var size int64 = -1
	if info, err := f.Stat(); err == nil && info.Mode().IsRegular() {
		size = info.Size()
	}
	if size > limit {
		return nil, errFileTooBig
	}

	buf := make([]byte, 0, max(size, 0)+1)
	buf, err = readAllLimited(f, buf, limit)
	if err != nil {
		return nil, err
	}
	return buf, nil
}

// readAllLimited appends r's content to buf, failing past limit bytes.
func readAllLimited(r io.Reader, buf []byte, limit int64) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, errFileTooBig
		}
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// plainError strips the operation and path from a file system error, which
// the skip list already shows, leaving e.g. "permission denied".
func plainError(err error) string {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err.Error()
	}
	return err.Error()
}

func sortSkipped(s []SkippedFile) {
	slices.SortFunc(s, func(a, b SkippedFile) int { return cmp.Compare(a.Path, b.Path) })
}

func sortStrings(s []string) { slices.Sort(s) }
