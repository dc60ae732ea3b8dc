proof PerMessage

lemma Sent: started implies Req(1) in sent(Req)

rank Got1: 0 if started else 1
    helps start, Server.Req
