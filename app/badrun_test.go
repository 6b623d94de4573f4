package app

import (
	"bytes"
	"encoding/binary"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadRuns trains one small run, to step 4 with checkpoints at steps 0
// and 4, and damages a copy of it in each subtest.
func TestBadRuns(t *testing.T) {
	data := writeFolder(t, 10)
	trained := filepath.Join(t.TempDir(), "run")
	code, _, stderr := ganvas("train", "-run", trained, "-data", data, "-steps", "4",
		"-res", "32", "-width", "8", "-batch", "8", "-quality-every", "0")
	if code != 0 {
		t.Fatalf("train: %s", stderr)
	}
	copyRun := func(t *testing.T) string {
		dir := filepath.Join(t.TempDir(), "run")
		copyTree(t, trained, dir)
		return dir
	}
	t.Run("damaged newest checkpoint", func(t *testing.T) { damagedNewest(t, copyRun) })
	t.Run("no usable checkpoint", func(t *testing.T) { noUsableCheckpoint(t, copyRun(t)) })
	t.Run("newer run", func(t *testing.T) { newerRun(t, copyRun) })
	t.Run("not a run", func(t *testing.T) { notARun(t, copyRun(t)) })
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func checkpointPath(dir string, step int) string {
	return filepath.Join(dir, "checkpoints", "step-00000"+string(rune('0'+step))+".safetensors")
}

// foreignSafetensors is a valid safetensors file written by another program:
// one tensor, and metadata of its own.
func foreignSafetensors() []byte {
	header := []byte(`{"__metadata__":{"format":"pt"},` +
		`"weight":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`)
	for len(header)%8 != 0 {
		header = append(header, ' ')
	}
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, uint64(len(header)))
	b.Write(header)
	b.Write([]byte{0, 0, 128, 63})
	return b.Bytes()
}

// damages are the ways a checkpoint file can be bad, with a word the error
// or warning must use for each.
var damages = []struct {
	name    string
	damage  func(t *testing.T, path string)
	says    string
	trainOn bool // also check that training resumes past it
}{
	{"cut short", func(t *testing.T, path string) {
		info, _ := os.Stat(path)
		if err := os.Truncate(path, info.Size()/2); err != nil {
			t.Fatal(err)
		}
	}, "cut short", true},
	{"bit flipped", func(t *testing.T, path string) {
		data, _ := os.ReadFile(path)
		data[len(data)-3] ^= 0x10
		os.WriteFile(path, data, 0o644)
	}, "checksum", false},
	{"foreign safetensors", func(t *testing.T, path string) {
		os.WriteFile(path, foreignSafetensors(), 0o644)
	}, "another program", true},
	{"not safetensors", func(t *testing.T, path string) {
		os.WriteFile(path, []byte("<html>a web page saved under the wrong name</html>"), 0o644)
	}, "not a ganvas checkpoint", false},
}

// damagedNewest damages the newest checkpoint of a run in each way of
// damages: `ganvas sample` and `ganvas train` must both say so and use the
// previous good checkpoint, and training must go on.
func damagedNewest(t *testing.T, copyRun func(*testing.T) string) {
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			dir := copyRun(t)
			d.damage(t, checkpointPath(dir, 4))

			out := filepath.Join(t.TempDir(), "grid.png")
			code, stdout, stderr := ganvas("sample", "-run", dir, "-n", "4", "-out", out)
			if code != 0 || !strings.Contains(stdout, "from step 0") {
				t.Fatalf("sample: exit %d, %q, %q; want a grid from step 0", code, stdout, stderr)
			}
			for _, want := range []string{"warning:", "step-000004.safetensors", d.says, "step 0"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("sample's warning %q does not say %q", stderr, want)
				}
			}

			if !d.trainOn {
				return // the fallback is the same; two kinds are enough to train on
			}
			code, _, stderr = ganvas("train", "-run", dir, "-steps", "5")
			if code != 0 || !strings.Contains(stderr, "Done: 5 steps") {
				t.Fatalf("train: exit %d: %s", code, stderr)
			}
			if !strings.Contains(stderr, "resumed from the checkpoint of step 0") ||
				!strings.Contains(stderr, d.says) {
				t.Errorf("train does not say it fell back, and why: %s", stderr)
			}
			if st := inspectRun(t, dir); st.step != 5 {
				t.Errorf("after training on, the newest checkpoint is of step %d", st.step)
			}
		})
	}
}

// noUsableCheckpoint damages every checkpoint of a run: `ganvas train` and
// `ganvas sample` must refuse in one line that names each file and its
// fault, and leave the files as they were.
func noUsableCheckpoint(t *testing.T, dir string) {
	damages[0].damage(t, checkpointPath(dir, 0))
	damages[1].damage(t, checkpointPath(dir, 4))
	before := snapshot(t, dir)

	for _, args := range [][]string{
		{"train", "-run", dir, "-steps", "8"},
		{"sample", "-run", dir, "-out", filepath.Join(t.TempDir(), "x.png")},
	} {
		code, _, stderr := ganvas(args...)
		if code == 0 {
			t.Fatalf("%s: exit 0 with no usable checkpoint", args[0])
		}
		checkOneLine(t, args[0], stderr, "no checkpoint reads back", "step-000000.safetensors",
			"cut short", "step-000004.safetensors", "checksum")
	}
	if after := snapshot(t, dir); !equalSnapshots(before, after) {
		t.Error("the refused commands changed the run's checkpoints or metrics")
	}
}

// newerRun makes a run look as if a newer ganvas wrote it, first its
// config.json, then its checkpoint: both commands must refuse in one line
// that says to update ganvas, and leave the run untouched.
func newerRun(t *testing.T, copyRun func(*testing.T) string) {
	tests := []struct {
		name   string
		change func(t *testing.T, dir string)
	}{
		{"run format", func(t *testing.T, dir string) {
			path := filepath.Join(dir, "config.json")
			data, _ := os.ReadFile(path)
			newer := bytes.Replace(data, []byte(`"format": 1`), []byte(`"format": 7`), 1)
			if bytes.Equal(newer, data) {
				t.Fatalf("config.json has no format 1: %s", data)
			}
			os.WriteFile(path, newer, 0o644)
		}},
		{"checkpoint format", func(t *testing.T, dir string) {
			path := checkpointPath(dir, 4)
			data, _ := os.ReadFile(path)
			old := []byte(`"ganvas_checkpoint_format":"1"`)
			newer := bytes.Replace(data, old, []byte(`"ganvas_checkpoint_format":"7"`), 1)
			if bytes.Equal(newer, data) {
				t.Fatalf("the checkpoint has no %s", old)
			}
			os.WriteFile(path, newer, 0o644)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyRun(t)
			tt.change(t, dir)
			before := snapshot(t, dir)
			for _, args := range [][]string{
				{"train", "-run", dir, "-steps", "8"},
				{"sample", "-run", dir, "-out", filepath.Join(t.TempDir(), "x.png")},
			} {
				code, _, stderr := ganvas(args...)
				if code == 0 {
					t.Fatalf("%s: exit 0 on a run from a newer ganvas", args[0])
				}
				checkOneLine(t, args[0], stderr, "newer version of ganvas", "update ganvas")
			}
			config, _ := os.ReadFile(filepath.Join(dir, "config.json"))
			if after := snapshot(t, dir); !equalSnapshots(before, after) ||
				tt.name == "run format" && !bytes.Contains(config, []byte(`"format": 7`)) {
				t.Error("the refused commands changed the run")
			}
		})
	}
}

// notARun points both commands at folders that are no run: missing, a
// file, a folder of other things, and damaged, a run whose config.json is
// then damaged.
func notARun(t *testing.T, damaged string) {
	file := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(file, []byte("notes"), 0o644)
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "holiday.jpg"), []byte("jpeg"), 0o644)
	os.WriteFile(filepath.Join(damaged, "config.json"), []byte(`{"format": 1, "config": {"res`), 0o644)

	tests := []struct {
		args []string
		says string
	}{
		{[]string{"sample", "-run", filepath.Join(t.TempDir(), "missing"), "-out", "x.png"},
			"no such directory"},
		{[]string{"sample", "-run", file, "-out", "x.png"}, "it is a file"},
		{[]string{"sample", "-run", other, "-out", "x.png"}, "not a ganvas run"},
		{[]string{"sample", "-run", damaged, "-out", "x.png"}, "config.json is damaged"},
		{[]string{"train", "-run", file}, "it is a file"},
		{[]string{"train", "-run", other}, "not empty (it holds holiday.jpg)"},
		{[]string{"train", "-run", damaged}, "config.json is damaged"},
	}
	for _, tt := range tests {
		code, _, stderr := ganvas(tt.args...)
		if code == 0 {
			t.Errorf("%v: exit 0", tt.args)
			continue
		}
		checkOneLine(t, strings.Join(tt.args, " "), stderr, tt.says)
	}
	if entries, _ := os.ReadDir(other); len(entries) != 1 {
		t.Errorf("train added %d files to a folder that is no run", len(entries)-1)
	}
}

// checkOneLine fails the test unless stderr is one line that says each of
// the wanted phrases and shows no crash.
func checkOneLine(t *testing.T, what, stderr string, wants ...string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 1 {
		t.Errorf("%s: %d lines on stderr, want one: %q", what, len(lines), stderr)
	}
	for _, want := range wants {
		if !strings.Contains(stderr, want) {
			t.Errorf("%s: %q does not say %q", what, stderr, want)
		}
	}
	if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine ") {
		t.Errorf("%s: a crash: %q", what, stderr)
	}
}

// snapshot maps every file of the run to its contents, but for config.json,
// whose step budget changes with each command that resumes the run.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() != "config.json" {
			data, _ := os.ReadFile(path)
			files[path] = string(data)
		}
		return nil
	})
	return files
}

func equalSnapshots(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
