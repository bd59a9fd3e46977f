package main

import "strings"

// readmeStep is one command of the README and what it prints there.
type readmeStep struct {
	line int // of README.md, from 1
	cmd  string
	want []string
	// shown tells that the README shows the output, so that a command
	// shown printing nothing must print nothing.
	shown bool
}

// walkthrough returns the commands of the README's section that begins
// with the heading.
func walkthrough(readme, heading string) []readmeStep {
	lines := strings.Split(readme, "\n")
	var steps []readmeStep
	in, fence := false, ""
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "## "):
			in = l == heading
		case !in:
		case fence == "" && strings.HasPrefix(l, "```"):
			fence = strings.TrimPrefix(l, "```") + " "
		case fence != "" && l == "```":
			fence = ""
		case fence == "sh ":
			steps = shLine(steps, lines, &i)
		case fence == " " && strings.HasPrefix(l, "$ "):
			steps = append(steps, readmeStep{line: i + 1, cmd: strings.TrimPrefix(l, "$ "), shown: true})
		case fence == " " && len(steps) > 0 && steps[len(steps)-1].shown && !strings.HasPrefix(l, "$ "):
			s := &steps[len(steps)-1]
			s.want = append(s.want, l)
		}
	}
	return steps
}

// shLine reads the line at *i of a sh block, with the lines that go on
// from it, and adds what it holds to steps.
func shLine(steps []readmeStep, lines []string, i *int) []readmeStep {
	l := lines[*i]
	switch {
	case strings.HasPrefix(l, "#   ") && len(steps) > 0:
		s := &steps[len(steps)-1]
		s.want, s.shown = append(s.want, strings.TrimPrefix(l, "#   ")), true
		return steps
	case strings.HasPrefix(l, "# edit "):
		return append(steps, readmeStep{line: *i + 1, cmd: l})
	case strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#"):
		return steps
	}
	s := readmeStep{line: *i + 1, cmd: l}
	for (strings.HasSuffix(s.cmd, "\\") || strings.Count(s.cmd, "'")%2 == 1) && *i+1 < len(lines) {
		*i++
		s.cmd = strings.TrimSuffix(s.cmd, "\\") + "\n" + lines[*i]
	}
	return append(steps, s)
}
