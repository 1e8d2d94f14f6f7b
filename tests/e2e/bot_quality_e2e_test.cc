// The bot's words on a real Bluesky network on loopback (tests/e2e/devnet), tiny model: text in
// images quoted verbatim from OCR, replies in the mention's language with the message catalogue,
// and the commands (hotdog, help) read from realistic mention texts.
#include <regex>

#include "bot_fixture.h"
#include "text_image.h"

namespace altscribe::e2e {
namespace {

std::vector<uint8_t> TextPng(const std::vector<std::string>& lines) {
  t::TextStyle style;
  style.px = 30;
  t::Canvas canvas(820, static_cast<uint32_t>(60 + lines.size() * 38), t::Rgb{250, 250, 250});
  EXPECT_TRUE(canvas.DrawLines(lines, 24, 24, style).ok());
  return t::PngFromImage(canvas.image());
}

class BotQualityE2e : public BotE2e {
 protected:
  Ref Mention(Account& who, const Ref& target, const std::string& before, const std::string& after,
              std::vector<std::string> langs) {
    Account::PostSpec s;
    s.text = before + "@" + bot_->handle() + after;
    s.mention_handle = bot_->handle();
    s.mention_did = bot_->did();
    s.reply_to = &target;
    s.langs = std::move(langs);
    return who.Post(s);
  }
};

TEST_F(BotQualityE2e, SpanishMentionGetsSpanishRepliesAndTheTextOfTheImageVerbatim) {
  auto bot = StartBot();
  Account::PostSpec sign;
  sign.text = "El cartel de la biblioteca";
  sign.langs = {"es"};
  sign.images = {TextPng({"La biblioteca cierra a las 18:30", "los domingos."})};
  Ref sign_post = alice_->Post(sign);
  Ref asked = Mention(*bob_, sign_post, "", " ¿me lo describes?", {"es"});

  Account::PostSpec words;
  words.text = "Hoy no hay fotos";
  words.langs = {"es"};
  Ref no_images_post = alice_->Post(words);
  Ref no_images = Mention(*bob_, no_images_post, "Hola ", "", {"es"});

  auto thread = WaitForThread(asked, 1);
  ASSERT_FALSE(thread.empty());
  ExpectWithinLimits(thread);
  std::string all = Joined(thread);
  EXPECT_NE(all.find("Texto en la imagen: «La biblioteca cierra a las 18:30 los domingos.»"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("Generado con"), std::string::npos) << all;
  for (const auto& rec : thread) EXPECT_EQ(rec["value"]["langs"], json::array({"es"}));

  auto notice = WaitForThread(no_images, 1);
  ASSERT_EQ(notice.size(), 1u);
  EXPECT_EQ(notice[0]["value"]["text"],
            "No encontré ninguna imagen que describir en esta publicación, en la que cita ni en "
            "la anterior.");
  EXPECT_EQ(notice[0]["value"]["langs"], json::array({"es"}));
  bot->Stop();
}

TEST_F(BotQualityE2e, HotdogGivesOneVerdictPerImageAndHelpFitsOnePost) {
  auto bot = StartBot();
  Ref two = AlicePostsImages(2);
  Ref hotdog = Mention(*bob_, two, "", " HOTDOG?!", {"en"});
  Ref help = Mention(*bob_, two, "", " help", {"en"});
  Ref ayuda = Mention(*bob_, two, "¿Ayuda? ", "", {"es"});

  std::string verdicts = Joined(WaitForThread(hotdog, 1));
  for (int k = 1; k <= 2; ++k) {
    std::regex one("Image " + std::to_string(k) + " of 2: (hotdog|not hotdog)\n");
    EXPECT_TRUE(std::regex_search(verdicts, one)) << verdicts;
  }
  std::smatch m;
  std::string rest = verdicts;
  int count = 0;
  while (std::regex_search(rest, m, std::regex("Image \\d of 2: "))) {
    ++count;
    rest = m.suffix();
  }
  EXPECT_EQ(count, 2) << verdicts;

  auto help_thread = WaitForThread(help, 1);
  ASSERT_EQ(help_thread.size(), 1u) << "help is one post";
  std::string usage = help_thread[0]["value"]["text"];
  for (const char* word : {"detail", "classify", "hotdog", "again", "lang:"}) {
    EXPECT_NE(usage.find(word), std::string::npos) << usage;
  }
  auto ayuda_thread = WaitForThread(ayuda, 1);
  ASSERT_EQ(ayuda_thread.size(), 1u);
  EXPECT_EQ(ayuda_thread[0]["value"]["text"].get<std::string>().rfind("Mencióname", 0), 0u);
  EXPECT_EQ(ayuda_thread[0]["value"]["langs"], json::array({"es"}));
  bot->Stop();
}

}  // namespace
}  // namespace altscribe::e2e
