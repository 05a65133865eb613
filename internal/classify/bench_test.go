package classify

import "testing"

// BenchmarkClassify: one comment, as detection reads each survey answer's.
func BenchmarkClassify(b *testing.B) {
	Embedded()
	for b.Loop() {
		Classify("আমার পার্সেল পাঁচ দিন দেরি, কেউ ফোন ধরে না। The courier was rude.")
	}
}
