proof Rereceive

lemma Sent: wrote implies Note(1) in sent(Note)

rank Got1: 0 if wrote else 1
    helps write, Reader.Note
