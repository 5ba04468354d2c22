/**
 * One reader and one writer of suppression comments: what "Disable CODE for this line" writes is
 * what the engine reads, in every spelling the engine accepts.
 */
import * as assert from 'node:assert/strict';
import { analyze, initEngine } from '../../src/engine';
import { addSuppression, suppressionComment, suppressionsIn } from '../../src/core/suppression';

describe('suppression comments', () => {
  before(() => initEngine());

  it('reads every spelling: bare, code lists with commas or spaces, any case, anyio-migrate: ignore', () => {
    const text = 'a  # noqa\nb  # noqa: ASY101, asy102 ASY103\nc  # anyio-migrate: ignore[ASY201]\nd  # anyio-migrate: ignore\n';
    assert.deepEqual(
      [...suppressionsIn(text)].map((s) => [text.slice(0, s.offset).split('\n').length, s.codes]),
      [
        [1, null],
        [2, ['ASY101', 'ASY102', 'ASY103']],
        [3, ['ASY201']],
        [4, null],
      ],
    );
    assert.deepEqual([...suppressionsIn('x = 1\n')], []);
  });

  it('writes: appends a comment, extends an existing list after its last code, never twice', () => {
    assert.deepEqual(addSuppression('    await e.set()', 'ASY102'), { offset: 17, text: `  ${suppressionComment('ASY102')}` });
    assert.deepEqual(addSuppression('', 'ASY102'), { offset: 0, text: '# noqa: ASY102' });
    const line = 'x()  # noqa: ASY101 asy103';
    assert.deepEqual(addSuppression(line, 'ASY102'), { offset: line.length, text: ', ASY102' });
    assert.equal(addSuppression(line, 'ASY103'), undefined);
    assert.equal(addSuppression('x()  # noqa', 'ASY102'), undefined);
  });

  it('what the writer adds, the engine honours', () => {
    const src = 'import anyio\n\nasync def f():\n    await anyio.current_time()  # noqa: ASY201\n';
    const line = src.split('\n')[3]!;
    const add = addSuppression(line, 'ASY101')!;
    const fixed = src.replace(line, line.slice(0, add.offset) + add.text + line.slice(add.offset));
    assert.deepEqual(
      analyze(src).map((f) => f.code),
      ['ASY101'],
    );
    assert.deepEqual(analyze(fixed), []);
  });
});
