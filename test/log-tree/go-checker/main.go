// An independent checker of the log's checkpoints and proofs, with Go's own implementations:
// golang.org/x/mod/sumdb/note opens the signed checkpoints against the verifier key, and
// golang.org/x/mod/sumdb/tlog checks the RFC 6962 inclusion and consistency proofs.
//
// It reads one JSON document on stdin (see test/log-tree/go-checker.test.ts) and prints one
// JSON line per check: {"name", "ok", "error"}. It exits 0 when it could run every check,
// whatever their outcomes: the test decides which must hold and which must fail.
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type input struct {
	VerifierKey string `json:"verifierKey"`
	Origin      string `json:"origin"`
	Checkpoints []struct {
		Name string `json:"name"`
		Note string `json:"note"`
	} `json:"checkpoints"`
	Inclusions []struct {
		Name       string   `json:"name"`
		Checkpoint int      `json:"checkpoint"`
		Index      int64    `json:"index"`
		Leaf       string   `json:"leaf"`
		Proof      []string `json:"proof"`
	} `json:"inclusions"`
	Consistencies []struct {
		Name  string   `json:"name"`
		From  int      `json:"from"`
		To    int      `json:"to"`
		Proof []string `json:"proof"`
	} `json:"consistencies"`
}

type tree struct {
	size int64
	root tlog.Hash
	err  error
}

type result struct {
	Name  string `json:"name"`
	Ok    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, "go-checker: reading the input:", err)
		os.Exit(2)
	}
	verifier, err := note.NewVerifier(in.VerifierKey)
	if err != nil {
		fmt.Fprintln(os.Stderr, "go-checker: the verifier key:", err)
		os.Exit(2)
	}
	out := json.NewEncoder(os.Stdout)
	report := func(name string, err error) {
		r := result{Name: name, Ok: err == nil}
		if err != nil {
			r.Error = err.Error()
		}
		out.Encode(r)
	}

	trees := make([]tree, len(in.Checkpoints))
	for i, c := range in.Checkpoints {
		trees[i] = openCheckpoint(c.Note, verifier, in.Origin)
		report(c.Name, trees[i].err)
	}
	for _, p := range in.Inclusions {
		report(p.Name, checkInclusion(trees, p.Checkpoint, p.Index, p.Leaf, p.Proof))
	}
	for _, p := range in.Consistencies {
		report(p.Name, checkConsistency(trees, p.From, p.To, p.Proof))
	}
}

// openCheckpoint verifies the signed note and reads the C2SP checkpoint in its text.
func openCheckpoint(text string, verifier note.Verifier, origin string) tree {
	n, err := note.Open([]byte(text), note.VerifierList(verifier))
	if err != nil {
		return tree{err: err}
	}
	lines := strings.SplitN(n.Text, "\n", 4)
	if len(lines) < 4 {
		return tree{err: fmt.Errorf("a checkpoint has an origin, a size and a root hash")}
	}
	if lines[0] != origin {
		return tree{err: fmt.Errorf("origin %q, not %q", lines[0], origin)}
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		return tree{err: fmt.Errorf("tree size %q", lines[1])}
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil {
		return tree{err: err}
	}
	return tree{size: size, root: root}
}

func hashes(encoded []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(encoded))
	for i, e := range encoded {
		h, err := tlog.ParseHash(e)
		if err != nil {
			return nil, err
		}
		out[i] = h
	}
	return out, nil
}

func checkInclusion(trees []tree, at int, index int64, leaf string, proof []string) error {
	if at < 0 || at >= len(trees) || trees[at].err != nil {
		return fmt.Errorf("no verified checkpoint %d", at)
	}
	data, err := base64.StdEncoding.DecodeString(leaf)
	if err != nil {
		return err
	}
	p, err := hashes(proof)
	if err != nil {
		return err
	}
	t := trees[at]
	return tlog.CheckRecord(tlog.RecordProof(p), t.size, t.root, index, tlog.RecordHash(data))
}

func checkConsistency(trees []tree, from, to int, proof []string) error {
	if from < 0 || to < 0 || from >= len(trees) || to >= len(trees) || trees[from].err != nil || trees[to].err != nil {
		return fmt.Errorf("no verified checkpoints %d and %d", from, to)
	}
	p, err := hashes(proof)
	if err != nil {
		return err
	}
	return tlog.CheckTree(tlog.TreeProof(p), trees[to].size, trees[to].root, trees[from].size, trees[from].root)
}
