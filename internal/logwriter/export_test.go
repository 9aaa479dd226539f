package logwriter

// NewDelay is newDelay, for the tests of the delay: the serve command
// only ever wants Delay (New).
var NewDelay = newDelay

// State is whether the timer is armed and whether a goroutine is writing,
// for the tests of the delay (TestWriter_requestLinesWait).
func (w *Writer) State() (armed, writing bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.armed, w.writing
}
